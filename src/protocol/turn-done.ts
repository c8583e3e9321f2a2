// Simulated mode only: the embedded simulator's word that every reply of a sender's `turn`-th
// message has been answered by the webhook (or failed), so every one of them is filed. The
// platform never says this. The simulator emits it and the inbox carries it to conversations;
// it lives here, below both, so that there is one declaration.
export interface TurnDone {
  senderId: string;
  /** 1 for the sender's first accepted message, 2 for the second, … */
  turn: number;
  /** How many replies the turn had. */
  replies: number;
  /** Epoch ms when the last one completed. */
  at: number;
}
