"""Releases: manifests, the ordered release build, splits by building, and the hf / trl / verl exports."""
