// `apichat-bdd listen` with Redis, in its own process for bench/redis.ts (as deployed: the
// listener is not in the runner's process). Sends the parent each delivery's arrival stamp.
import { RedisPublisher, RedisStore, startListener } from '../src/inbox/index.ts';

const store = new RedisStore(await RedisPublisher.connect(process.env.BENCH_REDIS_URL!));
store.onAny((m) => {
  if (m.kind === 'text') process.send!({ text: m.text, at: m.arrived_at });
});
const listener = await startListener({ secret: process.env.BENCH_SECRET!, store, host: '127.0.0.1', port: 0 });
process.send!({ origin: listener.origin });
