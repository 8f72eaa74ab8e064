// Values remembered by key for a server's hot path, cleared whole when full: the keys it sees are a tree's few dozen
// files and paths, and the bound only keeps a stream of odd keys from growing the map without end.
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  remember(key: K, value: V): V {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
