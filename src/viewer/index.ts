// Public surface of the viewer: the component, coordinate helpers, window/level, tool host, navigation.
export { Viewer } from './Viewer';
export * from './coords';
export * from './windowing';
export * from './toolHost';
export * from './navigation';
export { BUILTIN_TOOLS, panTool, windowTool } from './builtinTools';
