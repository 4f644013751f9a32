package io.kvorum.it.differential;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvorum.it.differential.SortCheck.Plan;
import io.kvorum.it.fixture.HashSlot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which SORTs the standalone redis-server judges, and what Redis Cluster is asked otherwise. */
class SortCheckTest {

  @Test
  void aPatternIsInTheSlotOnlyWithACompleteTagBeforeTheStar() {
    int t = HashSlot.of("{t}a");
    assertThat(SortCheck.patternSlot("{t}w_*")).isEqualTo(t);
    assertThat(SortCheck.patternSlot("{t}h_*->f")).isEqualTo(t);
    assertThat(SortCheck.patternSlot("{t}const")).isEqualTo(t);
    assertThat(SortCheck.patternSlot("w_*")).isEqualTo(-1);
    assertThat(SortCheck.patternSlot("*{t}")).isEqualTo(-1);
    assertThat(SortCheck.patternSlot("{}*")).isEqualTo(-1);
    assertThat(SortCheck.patternSlot("{t*}")).isEqualTo(-1);
  }

  @Test
  void patternsInTheSlotGoToTheStandaloneServer() {
    Plan byWeight = Plan.of(List.of("SORT", "{t}a", "BY", "{t}w_*", "GET", "#", "ALPHA", "LIMIT", "0", "2"));
    assertThat(byWeight.standalone("{t}a")).isTrue();
    assertThat(byWeight.alpha()).isTrue();
    assertThat(byWeight.limit()).isTrue();
    assertThat(byWeight.byPattern()).isTrue();
    assertThat(byWeight.gets()).isEqualTo(1);

    assertThat(Plan.of(List.of("sort", "b", "get", "#")).standalone("b")).as("GET # needs no tag").isTrue();
    assertThat(Plan.of(List.of("SORT", "{t}a", "BY", "nosort")).standalone("{t}a")).as("nothing refused").isFalse();
    assertThat(Plan.of(List.of("SORT", "{t}a", "BY", "nosort")).dontSort()).isTrue();
    assertThat(Plan.of(List.of("SORT", "{t}a", "GET", "#", "STORE", "{u}a")).standalone("{t}a"))
        .as("a STORE elsewhere is CROSSSLOT on both").isFalse();
    assertThat(Plan.of(List.of("SORT_RO", "{t}a", "STORE", "{t}b", "GET", "#")).standalone("{t}a"))
        .as("SORT_RO stops at STORE: nothing refused before it").isFalse();
  }

  @Test
  void whenKvorumRefusesAPatternRedisClusterIsAskedWithoutTheOnesBefore() {
    List<String> args = List.of("SORT", "b", "ALPHA", "GET", "#", "LIMIT", "0", "1", "BY", "h_*->f", "GET", "#");
    Plan plan = Plan.of(args);
    assertThat(plan.kvorumRefuses()).isTrue();
    assertThat(plan.standalone("b")).isFalse();
    assertThat(plan.withoutAccepted(args)).containsExactly("SORT", "b", "ALPHA", "LIMIT", "0", "1", "BY", "h_*->f", "GET", "#");
  }
}
