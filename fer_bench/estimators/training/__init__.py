"""How a network trains, for PyTorch and Keras alike: its budget (:mod:`.budget`: epochs, steps or a time
budget re-planned as it is spent), the clock a time budget is spent on (:mod:`.clock`), the loop over steps
and epochs (:mod:`.loop`) and the epoch lines it logs (:mod:`.epoch_log`)."""
