import { spawn } from 'node:child_process';
import { Pool } from 'undici';
import { buildTextReply, sign } from '../src/protocol/index.ts';
const raw = JSON.stringify(buildTextReply({sender_id:'user-1',conv_id:1},'hello')); const sig = sign(raw,'bench-secret');
for (const kind of process.argv.slice(2)) {
  const child = spawn('strace', ['-f','-c','-o',`/tmp/strace-${kind}.txt`, process.execPath, '--import','tsx','./bench/ingest-server.ts', kind], { stdio: ['ignore','inherit','inherit','ipc'], env: {...process.env, BENCH_SECRET:'bench-secret'} });
  const port: number = await new Promise(r => child.once('message', (m: any) => r(m.port)));
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 8 });
  let codes = new Map();
  await Promise.all(Array.from({length:8}, async()=>{ for(let i=0;i<1000;i++){ const r=await pool.request({method:'POST',path:'/webhook',headers:{'content-type':'application/json','x-hub-signature-256':sig},body:raw}); codes.set(r.statusCode,(codes.get(r.statusCode)||0)+1); await r.body.dump(); } }));
  console.log(kind, codes);
  await pool.close(); child.kill('SIGINT'); await new Promise(r=>child.once('exit',r));
}
