// User-facing messages (toasts/banners): errors from bad files, full storage, info. Kept small and
// serialisable so the e2e hook can read them.
import { create } from 'zustand';

export type NoticeKind = 'error' | 'info' | 'success';

export interface Notice {
  id: number;
  kind: NoticeKind;
  title: string;
  message: string;
}

interface NoticesState {
  notices: Notice[];
  push(kind: NoticeKind, title: string, message: string): number;
  dismiss(id: number): void;
}

let nextId = 1;
const MAX = 5;

export const useNotices = create<NoticesState>((set) => ({
  notices: [],
  push: (kind, title, message) => {
    const id = nextId++;
    set((s) => ({ notices: [...s.notices, { id, kind, title, message }].slice(-MAX) }));
    return id;
  },
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
}));

export const notify = (kind: NoticeKind, title: string, message: string): number =>
  useNotices.getState().push(kind, title, message);
