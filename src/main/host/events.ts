import { EventEmitter } from 'node:events';
import type { EventName, Events } from '../../shared/api';

/** The host's outgoing events, typed by the contract. Shells forward them to their clients. */
export class EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    this.emitter.emit(event, payload);
  }

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}
