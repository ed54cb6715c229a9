// Tool contract and registry. Types live in state/ (not viewer/) so src/tools can implement them without
// importing the viewer (lint layer rule); viewer/toolHost.ts dispatches pointer events to the active tool.
import type { ComponentType } from 'react';
import { create } from 'zustand';

export type PointerKind = 'down' | 'move' | 'up' | 'cancel';

/** A pointer position in image coordinates (pixel centres at i + 0.5), plus the screen position. */
export interface ImagePoint {
  x: number;
  y: number;
  screenX: number;
  screenY: number;
  /** Mouse buttons bitmask (1 left, 2 right, 4 middle). */
  buttons: number;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  pressure: number;
}

/** What a tool may read and do during a gesture. */
export interface ToolContext {
  scanId: string | null;
  imageWidth: number;
  imageHeight: number;
  frame: number;
  /** Screen pixels per image pixel, for size-in-screen-pixels brushes. */
  scale: number;
  /** True when the point lies inside the image. */
  inside(pt: { x: number; y: number }): boolean;
}

export interface Tool {
  id: string;
  label: string;
  /** CSS cursor while the tool is active over the canvas. */
  cursor: string;
  /** Single key that activates the tool, shown in the toolbar and help overlay. */
  key?: string;
  onPointerDown?(pt: ImagePoint, ctx: ToolContext): void;
  onPointerMove?(pt: ImagePoint, ctx: ToolContext): void;
  onPointerUp?(pt: ImagePoint, ctx: ToolContext): void;
  onPointerCancel?(pt: ImagePoint, ctx: ToolContext): void;
  /** Called when the tool stops being active. */
  deactivate?(): void;
  /**
   * Optional react-konva nodes drawn above the masks in image coordinates (cursor ring, polygon preview);
   * `scale` is screen pixels per image pixel, to keep strokes one screen pixel wide.
   */
  Overlay?: ComponentType<{ scale: number }>;
}

interface ToolsState {
  tools: Tool[];
  activeId: string;
  register(tool: Tool): () => void;
  activate(id: string): void;
}

export const useTools = create<ToolsState>((set, get) => ({
  tools: [],
  activeId: 'pan',
  register: (tool) => {
    set((s) => ({ tools: [...s.tools.filter((t) => t.id !== tool.id), tool] }));
    return () => set((s) => ({ tools: s.tools.filter((t) => t !== tool) }));
  },
  activate: (id) => {
    const { activeId, tools } = get();
    if (id === activeId || !tools.some((t) => t.id === id)) return;
    tools.find((t) => t.id === activeId)?.deactivate?.();
    set({ activeId: id });
  },
}));

export const activeTool = (): Tool | undefined => {
  const { tools, activeId } = useTools.getState();
  return tools.find((t) => t.id === activeId);
};

/** Optional listeners for raw image-space pointer events, independent of the active tool. */
export type ImagePointerListener = (kind: PointerKind, x: number, y: number, event: ImagePoint) => void;
const listeners = new Set<ImagePointerListener>();
export const onImagePointer = (fn: ImagePointerListener): (() => void) => {
  listeners.add(fn);
  return () => listeners.delete(fn);
};
export const emitImagePointer = (kind: PointerKind, pt: ImagePoint): void => {
  for (const fn of listeners) fn(kind, pt.x, pt.y, pt);
};
