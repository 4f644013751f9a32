package io.kvorum.server.launch;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kvorum} executable: {@code kvorum server …} runs a node, {@code kvorum admin …} manages a cluster. */
@Command(
    name = "kvorum",
    mixinStandardHelpOptions = true,
    versionProvider = KvorumVersion.class,
    description = "Kvorum: a Redis-compatible database on Raft that never loses an acknowledged write.",
    subcommands = {ServerCommand.class, AdminCommand.class})
public final class KvorumCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    CommonPoolSize.ensure();
    // Exit explicitly: Raft and Netty keep non-daemon threads until the JVM goes.
    System.exit(new CommandLine(new KvorumCommand()).execute(args));
  }
}
