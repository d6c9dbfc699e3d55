"""A 3-story, 2-bay steel frame (kN, m, s) that prints its periods as a verification table: the mode number under
"Period", its own result under "OpenSees", reference values beside it (the layout of OpenSeesPy's verification
examples). Test fixture for reading such tables."""
import math

import openseespy.opensees as ops

ops.wipe()
ops.model("basic", "-ndm", 2, "-ndf", 3)
heights = [4.0, 3.5, 3.5]
xs = [0.0, 6.0, 12.0]
elevation = 0.0
for floor in range(len(heights) + 1):
    for col, x in enumerate(xs):
        tag = 100 * floor + col + 1
        ops.node(tag, x, elevation)
        if floor == 0:
            ops.fix(tag, 1, 1, 1)
        else:
            ops.mass(tag, 30.0, 1.0e-6, 0.0)
    if floor < len(heights):
        elevation += heights[floor]
ops.geomTransf("Linear", 1)
ele = 0
for floor in range(1, len(heights) + 1):
    for col in range(len(xs)):
        ele += 1
        ops.element("elasticBeamColumn", ele, 100 * (floor - 1) + col + 1, 100 * floor + col + 1,
                    1.2e-2, 2.0e8, 2.5e-4, 1)
    for col in range(len(xs) - 1):
        ele += 1
        ops.element("elasticBeamColumn", ele, 100 * floor + col + 1, 100 * floor + col + 2, 9.0e-3, 2.0e8, 3.0e-4, 1)

modes = 3
values = ops.eigen("-fullGenLapack", modes)
reference = [0.9, 0.3, 0.2]
print("Period Comparisons:")
print("{:>10}{:>15}{:>15}".format("Period", "OpenSees", "Reference"))
for i in range(modes):
    print("{:>10}{:>15.5f}{:>15.4f}".format(i + 1, 2 * math.pi / math.sqrt(values[i]), reference[i]))
ops.wipe()
