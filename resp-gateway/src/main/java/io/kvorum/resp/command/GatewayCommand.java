package io.kvorum.resp.command;

import io.kvorum.storage.command.CommandSpec;

/**
 * A command the gateway answers itself (connection and server commands): its {@code COMMAND INFO}
 * metadata and its handler. Exactly one of {@code immediate} and {@code ordered} is set; a
 * container (CLIENT, CONFIG …) has neither.
 */
public record GatewayCommand(CommandSpec spec, GatewayHandler immediate, OrderedHandler ordered) {

  public static GatewayCommand immediate(CommandSpec spec, GatewayHandler handler) {
    return new GatewayCommand(spec, handler, null);
  }

  public static GatewayCommand ordered(CommandSpec spec, OrderedHandler handler) {
    return new GatewayCommand(spec, null, handler);
  }

  public static GatewayCommand container(CommandSpec spec) {
    return new GatewayCommand(spec, null, null);
  }

  public String name() {
    return spec.name();
  }
}
