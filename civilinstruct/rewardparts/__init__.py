"""The three parts of the MGHR reward, one module each: `format` (r_fmt and which program a completion
submits), `ast_coverage` (r_ast), `execution` (r_exec). `civilinstruct.reward` composes them."""
