/**
 * The engine client is injected once at the top (IPC in Electron, HTTP in the browser); everything
 * below reaches the engine only through `useClient()`.
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { ApiClient } from '@vigil/engine/contract';

const ClientContext = createContext<ApiClient | null>(null);

export function ClientProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): ApiClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient() used outside <ClientProvider>');
  return client;
}
