package io.kvorum.server.proxy;

import com.google.protobuf.ByteString;
import io.kvorum.proto.node.ExecuteRequest;
import io.kvorum.proto.node.ProxiedCommand;
import io.kvorum.resp.proxy.ForwardRequest;
import java.util.ArrayList;
import java.util.List;

/** {@link ForwardRequest} to and from its protobuf form ({@code kvorum/node.proto}). */
final class ForwardMessages {
  private ForwardMessages() {}

  static ExecuteRequest toProto(ForwardRequest r) {
    ExecuteRequest.Builder b = ExecuteRequest.newBuilder()
        .setGroup(r.group())
        .setResp3(r.resp3())
        .setWrite(r.write())
        .setHops(r.hops())
        .setBlocking(r.blocking())
        .setBlockMillis(r.blocking() ? r.blockMillis() : 0);
    for (int i = 0; i < r.commands().size(); i++) {
      ProxiedCommand.Builder c = ProxiedCommand.newBuilder().setSlot(r.slots()[i]);
      for (byte[] arg : r.commands().get(i)) {
        c.addArgs(ByteString.copyFrom(arg));
      }
      b.addCommands(c);
    }
    return b.build();
  }

  static ForwardRequest fromProto(ExecuteRequest m) {
    int n = m.getCommandsCount();
    int[] slots = new int[n];
    List<byte[][]> commands = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ProxiedCommand c = m.getCommands(i);
      slots[i] = c.getSlot();
      byte[][] args = new byte[c.getArgsCount()][];
      for (int a = 0; a < args.length; a++) {
        args[a] = c.getArgs(a).toByteArray();
      }
      commands.add(args);
    }
    return new ForwardRequest(m.getGroup(), slots, commands, m.getResp3(), m.getWrite(),
        m.getHops(),
        m.getBlocking() ? Math.max(0, m.getBlockMillis()) : ForwardRequest.NOT_BLOCKING);
  }
}
