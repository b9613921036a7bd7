# coding: unicode_escape
# A coding line whose codec turns \ud800 into a lone surrogate.
NAME = '\ud800'
