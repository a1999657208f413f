// Short confirmations ("Profile saved") shown in the corner; errors stay next to what caused them instead.

import { create } from 'zustand';

export interface Toast {
  id: number;
  message: string;
  tone: 'success' | 'info';
}

interface ToastStore {
  toasts: Toast[];
  show: (message: string, tone?: Toast['tone']) => void;
  dismiss: (id: number) => void;
}

let nextId = 1;

export const useToasts = create<ToastStore>((set, get) => ({
  toasts: [],
  show(message, tone = 'success') {
    const id = nextId++;
    set({ toasts: [...get().toasts, { id, message, tone }] });
    setTimeout(() => get().dismiss(id), 3500);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));

export const toast = (message: string, tone?: Toast['tone']) => useToasts.getState().show(message, tone);
