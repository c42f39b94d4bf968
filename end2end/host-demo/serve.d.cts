import type { Server } from 'node:http';
export function startHostDemo(appUrl: string, port?: number): Promise<{ server: Server; url: string }>;
