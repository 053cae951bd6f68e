"""Feature slices (see DESIGN.md section 3): each folder holds one feature's routing. The
older features still live in bot/handlers/ and move here one by one."""
