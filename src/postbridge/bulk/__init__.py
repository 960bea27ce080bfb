"""Bulk capture: a CSV file of parcels booked row by row in committed chunks, prepared by
forked worker processes (pipeline), numbered and written in file order (batches)."""
