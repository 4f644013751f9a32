package io.kvorum.resp.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which commands the gateway submits as log entries. */
class CommandEntryTest {
  static final CommandTable TABLE = CommandTableMetadataTest.TABLE;

  @Test
  void writesAreLoggedAndReadsAreNot() {
    assertThat(TABLE.get("set").isWrite()).isTrue();
    assertThat(TABLE.get("get").isWrite()).isFalse();
  }

  /** PFCOUNT writes its cardinality cache (Redis shows it in GET), so it must be applied on every replica. */
  @Test
  void pfcountIsLoggedThoughCommandInfoSaysReadonly() {
    CommandEntry pfcount = TABLE.get("pfcount");
    assertThat(pfcount.isWrite()).isTrue();
    assertThat(pfcount.spec().isWrite()).isFalse();
  }

  /** SORT_RO turns a listpack sorted set into a skiplist (OBJECT ENCODING, DUMP show it), as SORT does. */
  @Test
  void sortRoIsLoggedThoughCommandInfoSaysReadonly() {
    CommandEntry sortRo = TABLE.get("sort_ro");
    assertThat(sortRo.isWrite()).isTrue();
    assertThat(sortRo.spec().isWrite()).isFalse();
  }
}
