"""/partner: a single-use invite, accept or decline, one partner at a time, ending it."""
