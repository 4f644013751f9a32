package io.kvorum.resp.connection;

import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** The node's open client connections by id, in id order (CLIENT LIST, CLIENT KILL, maxclients). */
public final class ClientRegistry {
  private final ConcurrentSkipListMap<Long, ClientConnection> clients = new ConcurrentSkipListMap<>();
  private final AtomicLong nextId = new AtomicLong();

  /** A fresh client id: increasing, never reused, as in Redis. */
  public long nextId() {
    return nextId.incrementAndGet();
  }

  public void add(ClientConnection c) {
    clients.put(c.id(), c);
  }

  public void remove(ClientConnection c) {
    clients.remove(c.id(), c);
  }

  public ClientConnection get(long id) {
    return clients.get(id);
  }

  public int size() {
    return clients.size();
  }

  /** All open connections in id order. */
  public Collection<ClientConnection> all() {
    return Collections.unmodifiableCollection(clients.values());
  }
}
