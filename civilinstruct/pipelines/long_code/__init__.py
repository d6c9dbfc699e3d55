"""Long code (part 2): sampled building specs -> seismic design -> a complete OpenSeesPy program, executed and
scored. `pipeline` runs the part; the design and the program text live in `civilinstruct.design` and `codegen`."""
