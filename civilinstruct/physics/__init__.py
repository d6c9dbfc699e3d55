"""Physics: reading what programs print (reading), and engineering formulas (spectrum, codes, period)."""
