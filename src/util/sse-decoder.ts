/**
 * A generic Server-Sent Events decoder (the WHATWG event-stream grammar):
 * feed it decoded text in pieces of any size and it returns the completed
 * events. Handles `\n`, `\r\n` and `\r` line endings (a `\r\n` split
 * between two pieces included), comments, multi-line `data:` and `id:`.
 * Shared by every upstream backend.
 */
export interface SseEvent {
  /** `event:` field; 'message' when absent. */
  event: string;
  /** `data:` lines joined with '\n'. */
  data: string;
  id?: string;
}

export class SseDecoder {
  private buffer = '';
  /** The previous piece ended with '\r': a '\n' starting the next piece belongs to it. */
  private pendingCR = false;
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private hasData = false;

  /** Feeds decoded text; returns the events completed by it. */
  push(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let start = 0;
    let i = 0;
    if (this.pendingCR && text.startsWith('\n')) {
      start = 1;
      i = 1;
    }
    this.pendingCR = false;
    let buf = this.buffer;
    const n = text.length;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = buf + text.slice(start, i);
      buf = '';
      if (c === 13) {
        if (i + 1 < n) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCR = true;
        }
      }
      start = i + 1;
      this.processLine(line, out);
    }
    this.buffer = buf + text.slice(start);
    return out;
  }

  /** End of input: delivers a last event that had no terminating blank line. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.buffer.length > 0) {
      const line = this.buffer;
      this.buffer = '';
      this.processLine(line, out);
    }
    this.dispatch(out);
    return out;
  }

  private processLine(line: string, out: SseEvent[]): void {
    if (line === '') {
      this.dispatch(out);
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
    }
    switch (field) {
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      default:
        // `retry` and unknown fields are irrelevant here.
        break;
    }
  }

  private dispatch(out: SseEvent[]): void {
    if (this.hasData) {
      const ev: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
      if (this.id !== undefined) ev.id = this.id;
      out.push(ev);
    }
    this.data = [];
    this.hasData = false;
    this.event = '';
  }
}
