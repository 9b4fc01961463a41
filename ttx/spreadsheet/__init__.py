"""Spreadsheet MSELs: a scenario written to an xlsx workbook or a CSV table, and read back into a scenario folder."""
