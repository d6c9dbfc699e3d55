"""BMEval: build cases (`cases`), generate (`run`), execute and judge (`outcome`, `score`), pass@k (`passk`),
the HTML report (`report`) and training-data decontamination (`decontaminate`)."""
