package io.kvorum.it.differential;

import io.kvorum.it.fixture.RawResp;
import io.kvorum.it.fixture.RespEndpoint;
import io.kvorum.it.fixture.RespReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs one command sequence against the oracle and the target over a pair of connections in the
 * same protocol, and reports the first reply that differs.
 *
 * <p>Each run starts with FLUSHALL on both. Runs of ordinary commands are sent as one pipeline
 * (the same bytes to both servers), then the replies are read and compared in order; commands
 * that need a follow-up round trip (RANDOMKEY, a full SCAN) are run on their own. After a
 * mismatch both connections are dropped, so no stale reply leaks into the next sequence.
 */
final class DifferentialRunner implements AutoCloseable {

  enum Protocol { RESP2, RESP3 }

  /** One disagreement, with everything needed to understand and reproduce it. */
  record Mismatch(long seed, Protocol protocol, String step, int steps, String command, String check,
      String reason, String oracleReply, String targetReply, List<String> transcript) {

    String commandName() {
      String upper = command.toUpperCase(java.util.Locale.ROOT);
      int space = upper.indexOf(' ');
      String first = space < 0 ? upper : upper.substring(0, space);
      if (GeneratedCommand.CONTAINERS.contains(first) && space > 0) {
        String rest = upper.substring(space + 1).replace("\"", "");
        int next = rest.indexOf(' ');
        return first + " " + (next < 0 ? rest : rest.substring(0, next));
      }
      return first;
    }

    String report(String reproduce) {
      StringBuilder out = new StringBuilder();
      out.append("=== MISMATCH: seed ").append(seed).append(" (").append(protocol).append("), step ")
          .append(step).append(" of ").append(steps).append('\n');
      out.append("command : ").append(command).append('\n');
      out.append("check   : ").append(check).append(" - ").append(reason).append('\n');
      out.append("redis   : ").append(oracleReply).append('\n');
      out.append("target  : ").append(targetReply).append('\n');
      out.append("sequence so far (steps r1..r").append(RESET.size())
          .append(" reset both servers; replies are the oracle's):\n");
      for (String line : transcript) {
        out.append("  ").append(line).append('\n');
      }
      out.append("reproduce: ").append(reproduce).append('\n');
      return out.toString();
    }
  }

  /** What the generator made the servers do, to show that the edge cases were really reached. */
  static final class Coverage {
    final Map<String, Integer> commands = new TreeMap<>();
    final Map<String, Integer> oracleErrors = new TreeMap<>();
    int total;

    void record(GeneratedCommand command, RespReply oracleReply) {
      total++;
      commands.merge(command.name(), 1, Integer::sum);
      if (oracleReply != null && oracleReply.isError()) {
        oracleErrors.merge(errorClass(oracleReply.text()), 1, Integer::sum);
      }
    }

    /** "ERR wrong number of arguments for 'get' command" → "ERR wrong number of arguments for '…' command". */
    static String errorClass(String error) {
      // Quoted arguments and decimals (GEOADD's "invalid longitude,latitude pair 13.5,90.0") vary.
      String shape = error == null ? "" : error.replaceAll("'[^']*'", "'…'").replaceAll("-?[0-9]+\\.[0-9]+", "…");
      return shape.length() > 70 ? shape.substring(0, 70) + "…" : shape;
    }

    int errorsStartingWith(String prefix) {
      return oracleErrors.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
          .mapToInt(Map.Entry::getValue).sum();
    }
  }

  private static final class Connections {
    final RawResp oracle;
    final RawResp target;
    /** The standalone redis-server that evaluates what Redis Cluster refuses (SORT's patterns). */
    final RawResp standalone;

    Connections(RawResp oracle, RawResp target, RawResp standalone) {
      this.oracle = oracle;
      this.target = target;
      this.standalone = standalone;
    }
  }

  /**
   * One step for a check that makes its own round trips (DUMP/RESTORE, SORT, XADD *): the
   * connections, and where the outcome goes. Oracle failures end the test (the oracle is not
   * under test); target failures are mismatches.
   */
  static final class Step {
    private final Connections pair;
    private final int index;
    final GeneratedCommand command;
    private final List<String> transcript;
    private final MismatchBuilder mismatch;
    private final Coverage coverage;
    private final RespEndpoint oracleEndpoint;

    private Step(Connections pair, int index, GeneratedCommand command, List<String> transcript,
        MismatchBuilder mismatch, Coverage coverage, RespEndpoint oracleEndpoint) {
      this.pair = pair;
      this.index = index;
      this.command = command;
      this.transcript = transcript;
      this.mismatch = mismatch;
      this.coverage = coverage;
      this.oracleEndpoint = oracleEndpoint;
    }

    RespReply onOracle(List<byte[]> args) {
      return call(pair.oracle, args, oracleEndpoint.describe());
    }

    RespReply onOracle(String... args) {
      return onOracle(RawResp.utf8(args));
    }

    RespReply onStandalone(List<byte[]> args) {
      return call(pair.standalone, args, "the standalone redis-server");
    }

    /** Sends all commands at once and reads their replies. */
    List<RespReply> pipelineOnStandalone(List<List<byte[]>> commands) {
      return pipeline(pair.standalone, commands, "the standalone redis-server");
    }

    /** Sends all commands at once and reads their replies. */
    List<RespReply> pipelineOnOracle(List<List<byte[]>> commands) {
      return pipeline(pair.oracle, commands, oracleEndpoint.describe());
    }

    RespReply onTarget(List<byte[]> args) throws IOException {
      return pair.target.call(args);
    }

    RespReply onTarget(String... args) throws IOException {
      return onTarget(RawResp.utf8(args));
    }

    /** Counts the command and the oracle's reply in the coverage statistics. */
    void record(RespReply oracleReply) {
      coverage.record(command, oracleReply);
    }

    Optional<Mismatch> mismatch(String reason, RespReply oracleReply, RespReply targetReply) {
      return mismatch.at(index, reason, shown(oracleReply), shown(targetReply));
    }

    Optional<Mismatch> mismatch(String reason, String oracleReply, String targetReply) {
      return mismatch.at(index, reason, oracleReply, targetReply);
    }

    Optional<Mismatch> targetFailed(IOException e, RespReply oracleReply) {
      return mismatch.at(index, "target connection failed: " + new TargetFailure(e).getMessage(),
          oracleReply == null ? "(not sent)" : shown(oracleReply), "(no reply)");
    }

    /** The step agreed: its line in the transcript, with what was compared. */
    Optional<Mismatch> agreed(String reply) {
      transcript.add(line(index, command, reply));
      return Optional.empty();
    }

    private static RespReply call(RawResp connection, List<byte[]> args, String who) {
      try {
        return connection.call(args);
      } catch (IOException e) {
        throw new UncheckedIOException(who + " failed", e);
      }
    }

    private static List<RespReply> pipeline(RawResp connection, List<List<byte[]>> commands, String who) {
      try {
        for (List<byte[]> command : commands) {
          connection.send(command);
        }
        connection.flush();
        List<RespReply> replies = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
          replies.add(connection.read());
        }
        return replies;
      } catch (IOException e) {
        throw new UncheckedIOException(who + " failed", e);
      }
    }
  }

  /** The target failed at the transport level (closed the connection, no reply in time, garbage). */
  private static final class TargetFailure extends Exception {
    private static final long serialVersionUID = 1L;

    TargetFailure(IOException cause) {
      super(cause instanceof SocketTimeoutException ? "no reply within the read timeout" : cause.toString(), cause);
    }
  }

  /**
   * Puts both servers back to empty before each sequence: DEL of every key the generator can
   * name, one DEL per hash slot. Cheaper than FLUSHALL on Kvorum (which is a write to every slot
   * group) and just as complete, since sequences only ever create keys from that pool.
   */
  static final List<GeneratedCommand> RESET;

  static {
    Map<Integer, List<String>> bySlot = new TreeMap<>();
    List<String> keys = new ArrayList<>(CommandGenerator.ALL_KEYS);
    keys.add(""); // the empty key is in the pool too
    for (String tag : SortDumpTemplates.TAGS) { // SORT's weight keys
      for (String element : SortDumpTemplates.ELEMENTS) {
        keys.add("{" + tag + "}w_" + element);
        keys.add("{" + tag + "}h_" + element);
      }
    }
    for (String key : keys) {
      bySlot.computeIfAbsent(io.kvorum.it.fixture.HashSlot.of(key), slot -> new ArrayList<>()).add(key);
    }
    List<GeneratedCommand> reset = new ArrayList<>();
    for (List<String> sameSlot : bySlot.values()) {
      List<String> args = new ArrayList<>();
      args.add("DEL");
      args.addAll(sameSlot);
      reset.add(new GeneratedCommand(args, Check.EXACT));
    }
    RESET = List.copyOf(reset);
  }

  private final RespEndpoint oracle;
  private final RespEndpoint target;
  private final RespEndpoint standalone;
  private final boolean pipeline;
  private final Map<Protocol, Connections> connections = new EnumMap<>(Protocol.class);
  final Coverage coverage = new Coverage();

  /**
   * @param standalone a non-cluster redis-server for what Redis Cluster refuses but Kvorum
   *     accepts (see {@link Check#SORT}); its data is replaced whenever it is used
   */
  DifferentialRunner(RespEndpoint oracle, RespEndpoint target, RespEndpoint standalone, boolean pipeline) {
    this.oracle = oracle;
    this.target = target;
    this.standalone = standalone;
    this.pipeline = pipeline;
  }

  Optional<Mismatch> run(long seed, Protocol protocol, List<GeneratedCommand> sequence) {
    List<GeneratedCommand> steps = new ArrayList<>(RESET.size() + sequence.size());
    steps.addAll(RESET);
    steps.addAll(sequence);
    List<String> transcript = new ArrayList<>();
    MismatchBuilder mismatch = (step, reason, oracleReply, targetReply) -> {
      drop(protocol);
      return Optional.of(new Mismatch(seed, protocol, label(step), sequence.size(), steps.get(step).display(),
          steps.get(step).check().toString(), reason, oracleReply, targetReply, List.copyOf(transcript)));
    };

    Connections pair;
    try {
      pair = connections(protocol);
    } catch (TargetFailure failure) {
      drop(protocol);
      boolean hello = protocol == Protocol.RESP3;
      return Optional.of(new Mismatch(seed, protocol, hello ? "HELLO" : "connect", sequence.size(),
          hello ? "HELLO 3" : "(connect)", "HANDSHAKE", failure.getMessage(),
          hello ? "(a RESP3 map)" : "(connected)", "(see reason)", List.of()));
    }

    int index = 0;
    while (index < steps.size()) {
      GeneratedCommand first = steps.get(index);
      if (first.check().interactive()) {
        Optional<Mismatch> found = runInteractive(pair, index, first, transcript, mismatch);
        if (found.isPresent()) {
          return found;
        }
        index++;
        continue;
      }
      int end = index + 1;
      while (pipeline && end < steps.size() && !steps.get(end).check().interactive()) {
        end++;
      }
      List<GeneratedCommand> batch = steps.subList(index, end);
      List<RespReply> oracleReplies = oracleRoundTrip(pair.oracle, batch);
      List<RespReply> targetReplies = new ArrayList<>(batch.size());
      TargetFailure failure = null;
      try {
        for (GeneratedCommand command : batch) {
          pair.target.send(command.bytes());
        }
        pair.target.flush();
        for (int i = 0; i < batch.size(); i++) {
          targetReplies.add(pair.target.read());
        }
      } catch (IOException e) {
        failure = new TargetFailure(e);
      }
      for (int i = 0; i < batch.size(); i++) {
        int step = index + i;
        GeneratedCommand command = batch.get(i);
        RespReply expected = oracleReplies.get(i);
        if (step >= RESET.size()) {
          coverage.record(command, expected);
        }
        if (i >= targetReplies.size()) {
          return mismatch.at(step, "target connection failed: " + failure.getMessage(), shown(expected), "(no reply)");
        }
        RespReply actual = targetReplies.get(i);
        // A reset's count depends on what the previous sequence left, which differs after a
        // mismatch there: only its kind is compared, so one difference is reported once.
        String problem = step < RESET.size()
            ? (actual.kind() == RespReply.Kind.INTEGER ? null : "the reset DEL did not answer an integer")
            : ReplyComparison.compare(command.check(), expected, actual);
        if (problem != null) {
          return mismatch.at(step, problem, shown(expected), shown(actual));
        }
        transcript.add(line(step, command, expected.render()));
      }
      index = end;
    }
    return Optional.empty();
  }

  @FunctionalInterface
  interface MismatchBuilder {
    Optional<Mismatch> at(int step, String reason, String oracleReply, String targetReply);
  }

  private Optional<Mismatch> runInteractive(Connections pair, int step, GeneratedCommand command,
      List<String> transcript, MismatchBuilder mismatch) {
    return switch (command.check()) {
      case RANDOM_KEY -> randomKey(pair, step, command, transcript, mismatch);
      case FULL_SCAN -> fullScan(pair, step, command, transcript, mismatch);
      case RANDOM_MEMBERS -> randomMembers(pair, step, command, transcript, mismatch);
      case STREAM_AUTO_ID -> StreamAutoIdCheck.run(new Step(pair, step, command, transcript, mismatch, coverage, oracle));
      case DUMP -> DumpRestoreCheck.dump(new Step(pair, step, command, transcript, mismatch, coverage, oracle));
      case RESTORE_OWN, RESTORE_ORACLE, RESTORE_CORRUPT ->
          DumpRestoreCheck.restore(new Step(pair, step, command, transcript, mismatch, coverage, oracle));
      case SORT -> SortCheck.run(new Step(pair, step, command, transcript, mismatch, coverage, oracle));
      default -> throw new IllegalArgumentException(command.check().toString());
    };
  }

  /** RANDOMKEY is random: only "nil exactly when empty" and "the key exists" can be compared. */
  private Optional<Mismatch> randomKey(Connections pair, int step, GeneratedCommand command,
      List<String> transcript, MismatchBuilder mismatch) {
    RespReply expected = oracleCall(pair.oracle, command.bytes());
    coverage.record(command, expected);
    RespReply actual;
    try {
      actual = pair.target.call(command.bytes());
    } catch (IOException e) {
      return mismatch.at(step, "target connection failed: " + new TargetFailure(e).getMessage(), shown(expected), "(no reply)");
    }
    if (expected.isNull() || expected.isError() || actual.isNull() || actual.isError()) {
      if (!expected.sameBytes(actual)) {
        return mismatch.at(step, "nil/error must be the same bytes", shown(expected), shown(actual));
      }
    } else if (actual.kind() != RespReply.Kind.BULK_STRING) {
      return mismatch.at(step, "expected a bulk string key", shown(expected), shown(actual));
    } else {
      List<byte[]> exists = List.of("EXISTS".getBytes(StandardCharsets.US_ASCII), actual.payload());
      RespReply onOracle = oracleCall(pair.oracle, exists);
      RespReply onTarget;
      try {
        onTarget = pair.target.call(exists);
      } catch (IOException e) {
        return mismatch.at(step, "target connection failed on EXISTS: " + e, shown(expected), shown(actual));
      }
      if (!isOne(onOracle) || !isOne(onTarget)) {
        return mismatch.at(step, "returned a key that does not exist (EXISTS on redis: " + onOracle.render()
            + ", on target: " + onTarget.render() + ")", shown(expected), shown(actual));
      }
    }
    transcript.add(line(step, command, expected.render() + "   (any existing key)"));
    return Optional.empty();
  }

  /** A count at least the size of any collection a sequence builds: Redis then returns all of it. */
  private static final String WHOLE_COLLECTION = "1000000";

  /**
   * SPOP / SRANDMEMBER / HRANDFIELD / ZRANDMEMBER. Reads the whole collection first on both (the
   * same command with a count that returns everything, so the reply format is the same), then
   * checks the random reply against it; an SPOP that popped other members on the target than on
   * the oracle is undone there (SADD its pick back, SREM the oracle's), so later steps compare the
   * same state.
   */
  private Optional<Mismatch> randomMembers(Connections pair, int step, GeneratedCommand command,
      List<String> transcript, MismatchBuilder mismatch) {
    List<String> args = command.args();
    String name = command.name();
    if (args.size() < 2) {
      return exactAlone(pair, step, command, transcript, mismatch);
    }
    boolean pop = name.equals("SPOP");
    boolean counted = args.size() >= 3;
    boolean withValues = args.size() >= 4
        && (args.get(3).equalsIgnoreCase("WITHVALUES") || args.get(3).equalsIgnoreCase("WITHSCORES"));
    List<String> wholeArgs = new ArrayList<>(List.of(pop ? "SRANDMEMBER" : name, args.get(1), WHOLE_COLLECTION));
    if (withValues) {
      wholeArgs.add(args.get(3));
    }
    List<byte[]> whole = RawResp.utf8(wholeArgs.toArray(String[]::new));
    RespReply expectedWhole = oracleCall(pair.oracle, whole);
    RespReply actualWhole;
    try {
      actualWhole = pair.target.call(whole);
    } catch (IOException e) {
      return mismatch.at(step, "target connection failed: " + new TargetFailure(e).getMessage(), "(not sent)", "(no reply)");
    }
    String wholeCommand = String.join(" ", wholeArgs);
    if (expectedWhole.isError() || actualWhole.isError() || !expectedWhole.isAggregate()) {
      if (!expectedWhole.sameBytes(actualWhole)) {
        return mismatch.at(step, "before it, " + wholeCommand + " differs", shown(expectedWhole), shown(actualWhole));
      }
      return exactAlone(pair, step, command, transcript, mismatch);
    }
    if (expectedWhole.kind() != actualWhole.kind()
        || !ReplyComparison.sortedItems(expectedWhole, withValues).equals(ReplyComparison.sortedItems(actualWhole, withValues))) {
      return mismatch.at(step, "before it, " + wholeCommand + " returned other members (order ignored)",
          shown(expectedWhole), shown(actualWhole));
    }
    Set<String> members = new TreeSet<>(ReplyComparison.sortedItems(expectedWhole, withValues));
    transcript.add(String.format("%4s  (%s on both: %d members)", "", wholeCommand, members.size()));

    RespReply expected = oracleCall(pair.oracle, command.bytes());
    coverage.record(command, expected);
    RespReply actual;
    try {
      actual = pair.target.call(command.bytes());
    } catch (IOException e) {
      return mismatch.at(step, "target connection failed: " + new TargetFailure(e).getMessage(), shown(expected), "(no reply)");
    }
    List<String> expectedItems;
    List<String> actualItems;
    if (!counted && expected.kind() == RespReply.Kind.BULK_STRING && !expected.isNull()) {
      if (actual.kind() != RespReply.Kind.BULK_STRING || actual.isNull()) {
        return mismatch.at(step, "expected one member", shown(expected), shown(actual));
      }
      expectedItems = List.of(new String(expected.raw(), StandardCharsets.ISO_8859_1));
      actualItems = List.of(new String(actual.raw(), StandardCharsets.ISO_8859_1));
    } else if (counted && expected.isAggregate() && !expected.isNull()) {
      if (actual.kind() != expected.kind() || actual.isNull()) {
        return mismatch.at(step, "expected " + expected.kind() + " of members", shown(expected), shown(actual));
      }
      expectedItems = ReplyComparison.sortedItems(expected, withValues);
      actualItems = ReplyComparison.sortedItems(actual, withValues);
      if (expectedItems.size() != actualItems.size()) {
        return mismatch.at(step, "a different number of members", shown(expected), shown(actual));
      }
      boolean distinct = pop || !args.get(2).startsWith("-");
      if (distinct && new TreeSet<>(actualItems).size() != actualItems.size()) {
        return mismatch.at(step, "the same member twice (Redis returns distinct ones for this count)",
            shown(expected), shown(actual));
      }
    } else {
      if (!expected.sameBytes(actual)) {
        return mismatch.at(step, "reply bytes differ", shown(expected), shown(actual));
      }
      transcript.add(line(step, command, expected.render()));
      return Optional.empty();
    }
    for (String item : actualItems) {
      if (!members.contains(item)) {
        return mismatch.at(step, "not a member: " + RespReply.escape(item.getBytes(StandardCharsets.ISO_8859_1)),
            shown(expected), shown(actual));
      }
    }
    String note = "   (random: compared as members)";
    if (pop && !new TreeSet<>(expectedItems).equals(new TreeSet<>(actualItems))) {
      Optional<String> problem = resyncPop(pair.target, args.get(1), payloads(actual), payloads(expected));
      if (problem.isPresent()) {
        return mismatch.at(step, "putting the target back in step after SPOP failed: " + problem.get(),
            shown(expected), shown(actual));
      }
      note = "   (random: compared as members; target's pick " + actual.render() + " swapped for the oracle's)";
    }
    transcript.add(line(step, command, expected.render() + note));
    return Optional.empty();
  }

  private static List<byte[]> payloads(RespReply reply) {
    if (!reply.isAggregate()) {
      return List.of(reply.payload());
    }
    List<byte[]> payloads = new ArrayList<>();
    reply.elements().forEach(element -> payloads.add(element.payload()));
    return payloads;
  }

  /** SADD the target's popped members back, SREM the oracle's: then both sets hold the same members. */
  private static Optional<String> resyncPop(RawResp target, String key, List<byte[]> targetPopped, List<byte[]> oraclePopped) {
    for (var change : List.of(Map.entry("SADD", targetPopped), Map.entry("SREM", oraclePopped))) {
      if (change.getValue().isEmpty()) {
        continue;
      }
      List<byte[]> call = new ArrayList<>();
      call.add(change.getKey().getBytes(StandardCharsets.US_ASCII));
      call.add(key.getBytes(StandardCharsets.UTF_8));
      call.addAll(change.getValue());
      try {
        RespReply reply = target.call(call);
        if (reply.kind() != RespReply.Kind.INTEGER) {
          return Optional.of(change.getKey() + " answered " + reply.render());
        }
      } catch (IOException e) {
        return Optional.of(e.toString());
      }
    }
    return Optional.empty();
  }

  /** A command of an interactive kind whose reply is deterministic after all (an error): compared alone, exactly. */
  private Optional<Mismatch> exactAlone(Connections pair, int step, GeneratedCommand command,
      List<String> transcript, MismatchBuilder mismatch) {
    RespReply expected = oracleCall(pair.oracle, command.bytes());
    coverage.record(command, expected);
    RespReply actual;
    try {
      actual = pair.target.call(command.bytes());
    } catch (IOException e) {
      return mismatch.at(step, "target connection failed: " + new TargetFailure(e).getMessage(), shown(expected), "(no reply)");
    }
    if (!expected.sameBytes(actual)) {
      return mismatch.at(step, "reply bytes differ", shown(expected), shown(actual));
    }
    transcript.add(line(step, command, expected.render()));
    return Optional.empty();
  }

  private static boolean isOne(RespReply reply) {
    return reply.kind() == RespReply.Kind.INTEGER && reply.asLong() == 1;
  }

  /** Result of iterating SCAN from cursor 0 until it returns 0. */
  private record ScanOutcome(RespReply firstReply, String problem, Set<String> keys, int calls) {
    boolean failed() {
      return problem != null;
    }
  }

  private static final int MAX_SCAN_CALLS = 10_000;

  private Optional<Mismatch> fullScan(Connections pair, int step, GeneratedCommand command,
      List<String> transcript, MismatchBuilder mismatch) {
    ScanOutcome expected;
    try {
      expected = scanAll(pair.oracle, command);
    } catch (IOException e) {
      throw new UncheckedIOException("the oracle failed on " + command.display(), e);
    }
    coverage.record(command, expected.firstReply());
    if (expected.failed() && !expected.firstReply().isError()) {
      throw new IllegalStateException("the oracle's SCAN misbehaved (" + expected.problem() + ") on " + command.display());
    }
    ScanOutcome actual;
    try {
      actual = scanAll(pair.target, command);
    } catch (IOException e) {
      return mismatch.at(step, "target connection failed: " + new TargetFailure(e).getMessage(), shown(expected.firstReply()), "(no reply)");
    }
    if (expected.failed()) {
      if (!expected.firstReply().sameBytes(actual.firstReply())) {
        return mismatch.at(step, "error reply bytes differ", shown(expected.firstReply()), shown(actual.firstReply()));
      }
      transcript.add(line(step, command, expected.firstReply().render()));
      return Optional.empty();
    }
    if (actual.failed()) {
      return mismatch.at(step, actual.problem(), shown(expected.firstReply()), shown(actual.firstReply()));
    }
    if (!expected.keys().equals(actual.keys())) {
      Set<String> missing = new TreeSet<>(expected.keys());
      missing.removeAll(actual.keys());
      Set<String> extra = new TreeSet<>(actual.keys());
      extra.removeAll(expected.keys());
      return mismatch.at(step, "full iteration returned different elements: missing " + missing + ", extra " + extra,
          "elements " + expected.keys() + " in " + expected.calls() + " calls",
          "elements " + actual.keys() + " in " + actual.calls() + " calls");
    }
    transcript.add(line(step, command, "elements " + expected.keys() + " (full iteration, order ignored)"));
    return Optional.empty();
  }

  private static ScanOutcome scanAll(RawResp connection, GeneratedCommand command) throws IOException {
    List<byte[]> args = new ArrayList<>(command.bytes());
    String name = command.name();
    // SCAN cursor …; HSCAN/SSCAN/ZSCAN key cursor …, the hash and zset forms listing pairs.
    int cursorIndex = name.equals("SCAN") ? 1 : 2;
    int group = name.equals("HSCAN") || name.equals("ZSCAN") ? 2 : 1;
    Set<String> keys = new TreeSet<>();
    RespReply first = null;
    for (int calls = 1; calls <= MAX_SCAN_CALLS; calls++) {
      RespReply reply = connection.call(args);
      if (first == null) {
        first = reply;
      }
      if (reply.isError()) {
        return new ScanOutcome(first, calls == 1 ? "error" : "error after " + calls + " calls: " + reply.render(), keys, calls);
      }
      if (reply.kind() != RespReply.Kind.ARRAY || reply.elements().size() != 2
          || reply.elements().get(0).kind() != RespReply.Kind.BULK_STRING
          || reply.elements().get(1).kind() != RespReply.Kind.ARRAY) {
        return new ScanOutcome(first, "not a [cursor, [keys]] reply: " + reply.render(), keys, calls);
      }
      List<RespReply> found = reply.elements().get(1).elements();
      if (found.size() % group != 0) {
        return new ScanOutcome(first, "an odd number of elements in a pair listing: " + reply.render(), keys, calls);
      }
      for (int i = 0; i < found.size(); i += group) {
        StringBuilder item = new StringBuilder();
        for (RespReply element : found.subList(i, i + group)) {
          if (element.kind() != RespReply.Kind.BULK_STRING || element.isNull()) {
            return new ScanOutcome(first, "an element that is not a bulk string: " + element.render(), keys, calls);
          }
          item.append(item.length() == 0 ? "" : " => ").append(RespReply.escape(element.payload()));
        }
        keys.add(item.toString());
      }
      String cursor = reply.elements().get(0).text();
      if (cursor.equals("0")) {
        return new ScanOutcome(first, null, keys, calls);
      }
      args.set(cursorIndex, cursor.getBytes(StandardCharsets.US_ASCII)); // the first call used the generated cursor
    }
    return new ScanOutcome(first, "cursor did not return to 0 within " + MAX_SCAN_CALLS + " calls", keys, MAX_SCAN_CALLS);
  }

  private List<RespReply> oracleRoundTrip(RawResp connection, List<GeneratedCommand> batch) {
    try {
      for (GeneratedCommand command : batch) {
        connection.send(command.bytes());
      }
      connection.flush();
      List<RespReply> replies = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        replies.add(connection.read());
      }
      return replies;
    } catch (IOException e) {
      throw new UncheckedIOException("the oracle " + oracle.describe() + " failed", e);
    }
  }

  private RespReply oracleCall(RawResp connection, List<byte[]> args) {
    try {
      return connection.call(args);
    } catch (IOException e) {
      throw new UncheckedIOException("the oracle " + oracle.describe() + " failed", e);
    }
  }

  private Connections connections(Protocol protocol) throws TargetFailure {
    Connections existing = connections.get(protocol);
    if (existing != null) {
      return existing;
    }
    RawResp oracleConnection;
    try {
      oracleConnection = oracle.connect();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to the oracle " + oracle.describe(), e);
    }
    RawResp standaloneConnection;
    try {
      standaloneConnection = standalone.connect();
    } catch (IOException e) {
      oracleConnection.close();
      throw new UncheckedIOException("cannot connect to the standalone redis-server " + standalone.describe(), e);
    }
    RawResp targetConnection;
    try {
      targetConnection = target.connect();
    } catch (IOException e) {
      oracleConnection.close();
      standaloneConnection.close();
      throw new TargetFailure(e);
    }
    Connections pair = new Connections(oracleConnection, targetConnection, standaloneConnection);
    connections.put(protocol, pair);
    if (protocol == Protocol.RESP3) {
      if (oracleCall(standaloneConnection, RawResp.utf8("HELLO", "3")).kind() != RespReply.Kind.MAP) {
        throw new IllegalStateException("the standalone redis-server did not switch to RESP3");
      }
      // HELLO's reply carries the server's name, version and connection id: not comparable byte
      // for byte, so only its shape is checked. Every later reply is compared exactly.
      RespReply expected = oracleCall(oracleConnection, RawResp.utf8("HELLO", "3"));
      if (expected.kind() != RespReply.Kind.MAP) {
        throw new IllegalStateException("the oracle did not switch to RESP3: " + expected.render());
      }
      RespReply actual;
      try {
        actual = targetConnection.call("HELLO", "3");
      } catch (IOException e) {
        throw new TargetFailure(e);
      }
      if (actual.kind() != RespReply.Kind.MAP || !"3".equals(mapValue(actual, "proto"))) {
        throw new TargetFailure(new IOException("HELLO 3 did not answer a RESP3 map with proto 3: " + shown(actual)));
      }
    }
    return pair;
  }

  private static String mapValue(RespReply map, String key) {
    List<RespReply> elements = map.elements();
    for (int i = 0; i + 1 < elements.size(); i += 2) {
      if (key.equals(elements.get(i).text())) {
        return elements.get(i + 1).text();
      }
    }
    return null;
  }

  private void drop(Protocol protocol) {
    Connections pair = connections.remove(protocol);
    if (pair != null) {
      pair.oracle.close();
      pair.target.close();
      pair.standalone.close();
    }
  }

  static String shown(RespReply reply) {
    return reply.rawEscaped() + "    " + reply.render();
  }

  private static String line(int step, GeneratedCommand command, String reply) {
    return String.format("%4s  %s  ->  %s", label(step), command.display(), reply);
  }

  /** Reset steps are r1, r2, …; the sequence's own commands 1, 2, … */
  private static String label(int index) {
    return index < RESET.size() ? "r" + (index + 1) : String.valueOf(index - RESET.size() + 1);
  }

  @Override
  public void close() {
    for (Protocol protocol : Protocol.values()) {
      drop(protocol);
    }
  }
}
