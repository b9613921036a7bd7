"""An infinite loop at module level: only this unit is lost; later steps still run."""

while True:
    pass
