"""Briefs: many articles -> their sentences -> clusters across outlets -> summary, key points by
source count, who said what, where sources differ, unique details -> a cited Markdown briefing.

story (gathering), clusters, speakers, differences, compose (briefing()).
"""
