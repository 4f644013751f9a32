package io.kvorum.storage.geo;

import static io.kvorum.storage.command.CommandSpec.of;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.KeyspaceCommand;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.zset.SortedSet;
import io.kvorum.storage.zset.Strtod;
import io.kvorum.storage.zset.ZsetCommands;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The GEO commands of Redis 7.0 (geo.c): positions are sorted-set members whose score is the
 * 52-bit geohash, so GEOADD is ZADD with computed scores and every zset command works on geo keys.
 */
public final class GeoCommands {
  private static final String GEOALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

  private GeoCommands() {}

  public static List<KeyspaceCommand> table() {
    return List.of(
        KeyspaceCommand.of(of("geoadd", -5, "write denyoom", 1, 1, 1, "@write @geo @slow", ""),
            GeoCommands::geoadd),
        KeyspaceCommand.of(of("geodist", -4, "readonly", 1, 1, 1, "@read @geo @slow", ""),
            GeoCommands::geodist),
        KeyspaceCommand.of(of("geohash", -2, "readonly", 1, 1, 1, "@read @geo @slow", ""),
            GeoCommands::geohash),
        KeyspaceCommand.of(of("geopos", -2, "readonly", 1, 1, 1, "@read @geo @slow", ""),
            GeoCommands::geopos),
        KeyspaceCommand.of(of("georadius", -6, "write denyoom movablekeys", 1, 1, 1,
            "@write @geo @slow", ""), GeoCommands::radiusKeys,
            (ctx, args) -> GeoSearch.run(ctx, args, 1, GeoSearch.RADIUS_COORDS)),
        KeyspaceCommand.of(of("georadiusbymember", -5, "write denyoom movablekeys", 1, 1, 1,
            "@write @geo @slow", ""), GeoCommands::radiusKeys,
            (ctx, args) -> GeoSearch.run(ctx, args, 1, GeoSearch.RADIUS_MEMBER)),
        KeyspaceCommand.of(of("georadius_ro", -6, "readonly", 1, 1, 1, "@read @geo @slow", ""),
            (ctx, args) -> GeoSearch.run(ctx, args, 1,
                GeoSearch.RADIUS_COORDS | GeoSearch.RADIUS_NOSTORE)),
        KeyspaceCommand.of(of("georadiusbymember_ro", -5, "readonly", 1, 1, 1,
            "@read @geo @slow", ""),
            (ctx, args) -> GeoSearch.run(ctx, args, 1,
                GeoSearch.RADIUS_MEMBER | GeoSearch.RADIUS_NOSTORE)),
        KeyspaceCommand.of(of("geosearch", -7, "readonly", 1, 1, 1, "@read @geo @slow", ""),
            (ctx, args) -> GeoSearch.run(ctx, args, 1, GeoSearch.GEOSEARCH)),
        KeyspaceCommand.of(of("geosearchstore", -8, "write denyoom", 1, 2, 1,
            "@write @geo @slow", ""),
            (ctx, args) -> GeoSearch.run(ctx, args, 2,
                GeoSearch.GEOSEARCH | GeoSearch.GEOSEARCHSTORE)));
  }

  /**
   * {@code georadiusGetKeys}: the source key, and the last STORE/STOREDIST key found from
   * argument 5 on.
   */
  static int[] radiusKeys(byte[][] args) {
    int stored = -1;
    for (int i = 5; i < args.length; i++) {
      if ((Keywords.is(args[i], "store") || Keywords.is(args[i], "storedist"))
          && i + 1 < args.length) {
        stored = i + 1;
        i++;
      }
    }
    return stored < 0 ? new int[] {1} : new int[] {1, stored};
  }

  /** GEOADD key [NX|XX] [CH] longitude latitude member …: ZADD with geohash scores. */
  static Reply geoadd(CommandContext ctx, byte[][] args) {
    boolean xx = false;
    boolean nx = false;
    int longIdx = 2;
    for (; longIdx < args.length; longIdx++) {
      byte[] opt = args[longIdx];
      if (Keywords.is(opt, "nx")) {
        nx = true;
      } else if (Keywords.is(opt, "xx")) {
        xx = true;
      } else if (!Keywords.is(opt, "ch")) {
        break;
      }
    }
    if ((args.length - longIdx) % 3 != 0 || (xx && nx)) {
      throw RedisError.syntax();
    }
    int elements = (args.length - longIdx) / 3;
    byte[][] zadd = new byte[longIdx + elements * 2][];
    zadd[0] = "zadd".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(args, 1, zadd, 1, longIdx - 1);
    for (int i = 0; i < elements; i++) {
      int at = longIdx + i * 3;
      double[] xy = lonLat(args[at], args[at + 1]);
      long bits = GeoHash.align52Bits(GeoHash.encodeWgs84(xy[0], xy[1], GeoHash.STEP_MAX));
      zadd[longIdx + i * 2] = Long.toString(bits).getBytes(StandardCharsets.US_ASCII);
      zadd[longIdx + i * 2 + 1] = args[at + 2];
    }
    return ZsetCommands.zadd(ctx, zadd, false);
  }

  /** {@code extractLongLatOrReply}. */
  static double[] lonLat(byte[] lon, byte[] lat) {
    double x = parseDouble(lon, RedisError.NOT_FLOAT);
    double y = parseDouble(lat, RedisError.NOT_FLOAT);
    if (x < GeoHash.LONG_MIN || x > GeoHash.LONG_MAX || y < GeoHash.LAT_MIN
        || y > GeoHash.LAT_MAX) {
      throw new RedisError("ERR invalid longitude,latitude pair " + printfF(x) + ","
          + printfF(y));
    }
    return new double[] {x, y};
  }

  static double parseDouble(byte[] arg, String error) {
    Double d = Strtod.string2d(arg);
    if (d == null) {
      throw new RedisError(error);
    }
    return d;
  }

  /** C's {@code %f}. */
  private static String printfF(double v) {
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return new BigDecimal(v).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
  }

  /** {@code extractUnitOrReply}: meters per unit. */
  static double unit(byte[] arg) {
    if (Keywords.is(arg, "m")) {
      return 1;
    } else if (Keywords.is(arg, "km")) {
      return 1000;
    } else if (Keywords.is(arg, "ft")) {
      return 0.3048;
    } else if (Keywords.is(arg, "mi")) {
      return 1609.34;
    }
    throw new RedisError("ERR unsupported unit provided. please use M, KM, FT, MI");
  }

  /** GEODIST key member1 member2 [unit]. */
  static Reply geodist(CommandContext ctx, byte[][] args) {
    double toMeter = 1;
    if (args.length == 5) {
      toMeter = unit(args[4]);
    } else if (args.length > 5) {
      throw RedisError.syntax();
    }
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    if (z == null) {
      return Reply.NULL;
    }
    Double s1 = z.score(args[2]);
    Double s2 = s1 == null ? null : z.score(args[3]);
    if (s1 == null || s2 == null) {
      return Reply.NULL;
    }
    double[] a = GeoHash.decodeScore(s1);
    double[] b = GeoHash.decodeScore(s2);
    return GeoFormat.distance(GeoHash.distance(a[0], a[1], b[0], b[1]) / toMeter);
  }

  /** GEOHASH key member …: 11-character standard geohashes (the last character always '0'). */
  static Reply geohash(CommandContext ctx, byte[][] args) {
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    List<Reply> out = new ArrayList<>(args.length - 2);
    for (int j = 2; j < args.length; j++) {
      Double score = z == null ? null : z.score(args[j]);
      if (score == null) {
        out.add(Reply.NULL);
        continue;
      }
      double[] xy = GeoHash.decodeScore(score);
      // Redis stores latitudes in ±85.05°; the standard geohash spans ±90°: re-encode.
      GeoHash.Bits hash = GeoHash.encode(-180, 180, -90, 90, xy[0], xy[1], 26);
      long bits = hash == null ? 0 : hash.bits();
      char[] buf = new char[11];
      for (int i = 0; i < 11; i++) {
        int idx = i == 10 ? 0 : (int) ((bits >>> (52 - ((i + 1) * 5))) & 0x1f);
        buf[i] = GEOALPHABET.charAt(idx);
      }
      out.add(Reply.bulk(new String(buf)));
    }
    return Reply.array(out);
  }

  /** GEOPOS key member …: [longitude, latitude] pairs, a null array for missing members. */
  static Reply geopos(CommandContext ctx, byte[][] args) {
    SortedSet z = SortedSet.open(ctx.keyspace(), args[1]);
    List<Reply> out = new ArrayList<>(args.length - 2);
    for (int j = 2; j < args.length; j++) {
      Double score = z == null ? null : z.score(args[j]);
      if (score == null) {
        out.add(Reply.NULL_ARRAY);
        continue;
      }
      double[] xy = GeoHash.decodeScore(score);
      out.add(Reply.array(GeoFormat.coordinate(xy[0]), GeoFormat.coordinate(xy[1])));
    }
    return Reply.array(out);
  }
}
