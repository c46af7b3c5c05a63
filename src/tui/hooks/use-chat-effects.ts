// What the chat screen does as its state changes: fetch history when a
// conversation opens or is scrolled to its top, ring the bell (rate-limited)
// for messages in other conversations, and let notices fade.

import { useEffect, useRef } from 'react';
import type { Action, ChatState } from '../state.js';

/** What the effects need from the session. */
export interface HistorySource {
  loadHistory(peer: string, beforeId?: number): void;
}

/** Loads the first history page of an opened conversation, and older pages when scrolled to the top. */
export function useHistoryLoader(state: ChatState, source: HistorySource): void {
  const peer = state.selected;
  const conv = peer === null ? undefined : state.convs.get(peer);
  const history = conv?.history;
  const wantOlder = conv?.wantOlder ?? false;
  const connected = state.conn.kind === 'connected';
  useEffect(() => {
    if (!conv || !connected) return;
    if (history === 'unloaded') source.loadHistory(conv.peer);
    else if (history === 'partial' && wantOlder) {
      let oldest: number | undefined;
      for (const it of conv.items) if (it.id !== null && (oldest === undefined || it.id < oldest)) oldest = it.id;
      source.loadHistory(conv.peer, oldest);
    }
    // Only these changes call for a request; the conversation object changes with every message.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [peer, history, wantOlder, connected, source]);
}

/** Rings the terminal bell when `state.bell` goes up, at most once per `minGapMs`. */
export function useBell(count: number, enabled: boolean, ring: () => void, minGapMs = 3000): void {
  const last = useRef({ count, at: 0 });
  useEffect(() => {
    if (count <= last.current.count) return;
    last.current.count = count;
    const now = Date.now();
    if (!enabled || now - last.current.at < minGapMs) return;
    last.current.at = now;
    ring();
  }, [count, enabled, ring, minGapMs]);
}

/** Clears a notice after `ms`. */
export function useNoticeTimeout(notice: string | null, dispatch: (a: Action) => void, ms = 4000): void {
  useEffect(() => {
    if (notice === null) return;
    const t = setTimeout(() => dispatch({ type: 'notice', text: null }), ms);
    return () => clearTimeout(t);
  }, [notice, dispatch, ms]);
}

/** What the read-marker effect needs from the session. */
export interface ReadMarkerSink {
  markRead?(peer: string, id: number): void;
}

/**
 * The open conversation, followed to its newest message, has been read up
 * to the newest id it shows: the server's marker follows, so the count clears
 * on the user's other devices too.
 */
export function useReadMarker(state: ChatState, sink: ReadMarkerSink): void {
  const peer = state.selected;
  const conv = peer === null ? undefined : state.convs.get(peer);
  let newest = 0;
  if (conv && conv.scrollBack === 0) {
    for (let i = conv.items.length - 1; i >= 0; i--) {
      const id = conv.items[i]!.id;
      if (id !== null) {
        newest = id;
        break;
      }
    }
  }
  const connected = state.conn.kind === 'connected';
  useEffect(() => {
    if (peer !== null && newest > 0 && connected) sink.markRead?.(peer, newest);
  }, [peer, newest, connected, sink]);
}
