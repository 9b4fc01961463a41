"""Models of what scenario authors write, scenario time, and the resolved timeline."""
