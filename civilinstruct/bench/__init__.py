"""BMEval: build cases (`cases`), generate (`run`), execute and judge (`outcome`, `score`), pass@k (`passk`),
the HTML report (`report`), the failure taxonomy (`taxonomy`), the `--ground-truth band` (`band`) and
training-data decontamination (`decontaminate`)."""
