"""Cases: a person handed to a human operator at a partner organisation.

intake.py opens and feeds cases from the person's side (inside the switchboard's transaction),
desk.py is what operators do in the console, routing.py picks the organisation, sla.py moves an
untaken case on to the fallback organisation when its time runs out.
"""
