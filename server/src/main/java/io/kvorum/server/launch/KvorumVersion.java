package io.kvorum.server.launch;

import picocli.CommandLine;

/** The version printed by {@code kvorum --version}, from the jar manifest. */
public final class KvorumVersion implements CommandLine.IVersionProvider {
  public static String version() {
    String v = KvorumVersion.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"kvorum " + version()};
  }
}
