"""Bug-CoT: break good OpenSeesPy programs the way generated programs break, diagnose failed runs, repair them.

`mutations` breaks programs, `classify` names a failed run's failure type from its evidence, `repair` fixes a
program by rules that read only the failing program and its run, `diagnose` writes the structured diagnosis.
Every repair is re-executed by the pipeline (`civilinstruct.pipelines.bug_cot.pipeline`) before it becomes a sample.
"""
