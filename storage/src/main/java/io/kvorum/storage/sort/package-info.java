/**
 * SORT and SORT_RO ({@link io.kvorum.storage.sort.SortCommands}). Sorting reads the source and
 * any BY/GET keys inside one slot group: a pattern is accepted only when every key it can name
 * lies in the sorted key's hash slot, so the whole command runs against one store and, being
 * deterministic in the data alone, gives the same answer on every replica.
 */
package io.kvorum.storage.sort;
