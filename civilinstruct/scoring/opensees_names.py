"""Public names of `openseespy.opensees` (3.7), as data.

`from openseespy.opensees import *` binds these; the AST check needs them without importing the native
module into the training process.
"""

OPENSEES_NAMES: frozenset[str] = frozenset({
    'Bcast', 'IGA', 'InitialStateAnalysis', 'NDTest', 'OpenSeesError', 'OpenSeesParameter', 'ShallowFoundationGen',
    'accelCPU', 'addToParameter', 'algorithm', 'analysis', 'analyze', 'barrier', 'basicDeformation', 'basicForce',
    'basicStiffness', 'beamIntegration', 'block2D', 'block3D', 'build', 'cbdiDisplacement', 'classType',
    'computeGradients', 'constraints', 'convertBinaryToText', 'convertTextToBinary', 'correlate', 'damping',
    'database', 'defaultUnits', 'domainChange', 'domainCommitTag', 'eigen', 'eleDynamicalForce', 'eleForce',
    'eleLoad', 'eleNodes', 'eleResponse', 'eleType', 'element', 'equalDOF', 'equalDOF_Mixed', 'fiber', 'filter',
    'findCurvatures', 'findDesignPoint', 'fix', 'fixX', 'fixY', 'fixZ', 'frictionModel', 'functionEvaluator',
    'geomTransf', 'getCDF', 'getConstrainedDOFs', 'getConstrainedNodes', 'getCrdTransfTags', 'getDampTangent',
    'getEleClassTags', 'getEleLoadClassTags', 'getEleLoadData', 'getEleLoadTags', 'getEleTags', 'getFixedDOFs',
    'getFixedNodes', 'getInverseCDF', 'getLSFTags', 'getLoadFactor', 'getMean', 'getNDF', 'getNDM', 'getNP',
    'getNodeLoadData', 'getNodeLoadTags', 'getNodeTags', 'getNodeTemperature', 'getNumElements', 'getNumThreads',
    'getPDF', 'getPID', 'getParamTags', 'getParamValue', 'getPatterns', 'getRVParamTag', 'getRVTags', 'getRVValue',
    'getRetainedDOFs', 'getRetainedNodes', 'getStdv', 'getStrain', 'getStress', 'getTangent', 'getTime',
    'gradPerformanceFunction', 'gradientEvaluator', 'groundMotion', 'hystereticBackbone', 'imposedMotion',
    'imposedSupportMotion', 'initialize', 'integrator', 'layer', 'limitCurve', 'load', 'loadConst', 'logFile',
    'mass', 'meritFunctionCheck', 'mesh', 'metaData', 'modalDamping', 'modalDampingQ', 'modalProperties', 'model',
    'modulatingFunction', 'nDMaterial', 'node', 'nodeAccel', 'nodeBounds', 'nodeCoord', 'nodeDOFs', 'nodeDisp',
    'nodeEigenvector', 'nodeMass', 'nodePressure', 'nodeReaction', 'nodeResponse', 'nodeUnbalance', 'nodeVel',
    'numFact', 'numIter', 'numberer', 'parameter', 'partition', 'patch', 'pattern', 'performanceFunction',
    'pressureConstraint', 'printA', 'printB', 'printGID', 'printModel', 'printX', 'probabilityTransformation',
    'pyversion', 'randomNumberGenerator', 'randomVariable', 'rayleigh', 'reactions', 'record', 'recorder', 'recv',
    'region', 'reliabilityConvergenceCheck', 'remesh', 'remove', 'reset', 'responseSpectrumAnalysis', 'restore',
    'rigidDiaphragm', 'rigidLink', 'rootFinding', 'runFORMAnalysis', 'runFOSMAnalysis',
    'runImportanceSamplingAnalysis', 'runSORMAnalysis', 'save', 'sdfResponse', 'searchDirection', 'searchPeerNGA',
    'section', 'sectionDeformation', 'sectionDisplacement', 'sectionFlexibility', 'sectionForce', 'sectionLocation',
    'sectionStiffness', 'sectionTag', 'sectionWeight', 'send', 'sensLambda', 'sensNodeAccel', 'sensNodeDisp',
    'sensNodePressure', 'sensNodeVel', 'sensSectionForce', 'sensitivityAlgorithm', 'setCreep',
    'setElementRayleighDampingFactors', 'setElementRayleighFactors', 'setMaxOpenFiles', 'setNodeAccel',
    'setNodeCoord', 'setNodeDisp', 'setNodePressure', 'setNodeTemperature', 'setNodeVel', 'setNumThreads',
    'setParameter', 'setPrecision', 'setStartNodeTag', 'setStrain', 'setTime', 'solveCPU', 'sp', 'spectrum',
    'start', 'startPoint', 'stepSizeRule', 'stiffnessDegradation', 'stop', 'strengthControl', 'strengthDegradation',
    'stripXML', 'sys', 'system', 'systemSize', 'test', 'testIter', 'testNorm', 'testNorms', 'testUniaxialMaterial',
    'timeSeries', 'totalCPU', 'transformUtoX', 'uniaxialMaterial', 'unloadingRule', 'updateElementDomain',
    'updateMaterialStage', 'updateParameter', 'version', 'wipe', 'wipeAnalysis', 'wipeReliability'
})
