package io.kvorum.storage.geo;

import io.kvorum.storage.command.CommandContext;
import io.kvorum.storage.command.Keywords;
import io.kvorum.storage.keyspace.KeyMeta;
import io.kvorum.storage.keyspace.RedisType;
import io.kvorum.storage.number.RedisNumbers;
import io.kvorum.storage.reply.RedisError;
import io.kvorum.storage.reply.Reply;
import io.kvorum.storage.zset.ScoreRange;
import io.kvorum.storage.zset.SortedSet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH and GEOSEARCHSTORE: Redis's
 * {@code georadiusGeneric}. The nine geohash boxes around the center are score-range seeks in the
 * sorted set; candidates are filtered by the exact shape, then sorted by distance (stable full
 * sort, or Redis's partial quicksort when COUNT cuts the result).
 */
final class GeoSearch {
  static final int RADIUS_COORDS = 1;
  static final int RADIUS_MEMBER = 1 << 1;
  static final int RADIUS_NOSTORE = 1 << 2;
  static final int GEOSEARCH = 1 << 3;
  static final int GEOSEARCHSTORE = 1 << 4;

  private enum Sort { NONE, ASC, DESC }

  /** A match: position, distance from the center (meters), score, member. */
  private record Point(double lon, double lat, double dist, double score, byte[] member) {}

  private GeoSearch() {}

  static Reply run(CommandContext ctx, byte[][] args, int srcKeyIndex, int flags) {
    byte[] storeKey = null;
    boolean storeDist = false;
    KeyMeta meta = ctx.keyspace().lookup(args[srcKeyIndex], RedisType.ZSET);
    SortedSet z = meta == null ? null : SortedSet.of(ctx.keyspace(), args[srcKeyIndex], meta);

    boolean circle = false;
    double lon = 0;
    double lat = 0;
    double radius = 0;
    double width = 0;
    double height = 0;
    double conversion = 0;
    int baseArgs;
    if ((flags & RADIUS_COORDS) != 0) {
      baseArgs = 6;
      circle = true;
      double[] xy = GeoCommands.lonLat(args[2], args[3]);
      lon = xy[0];
      lat = xy[1];
      radius = radius(args[4]);
      conversion = GeoCommands.unit(args[5]);
    } else if ((flags & RADIUS_MEMBER) != 0 && z == null) {
      // No source key: keep parsing so the reply fits the STORE option.
      baseArgs = 5;
    } else if ((flags & RADIUS_MEMBER) != 0) {
      baseArgs = 5;
      circle = true;
      double[] xy = memberPosition(z, args[2]);
      lon = xy[0];
      lat = xy[1];
      radius = radius(args[3]);
      conversion = GeoCommands.unit(args[4]);
    } else {
      baseArgs = 2;
      if ((flags & GEOSEARCHSTORE) != 0) {
        baseArgs = 3;
        storeKey = args[1];
      }
    }

    boolean withDist = false;
    boolean withHash = false;
    boolean withCoords = false;
    boolean fromMember = false;
    boolean fromLoc = false;
    boolean byRadius = false;
    boolean byBox = false;
    Sort sort = Sort.NONE;
    boolean any = false;
    long count = 0;
    boolean geosearch = (flags & GEOSEARCH) != 0;
    boolean noStore = (flags & RADIUS_NOSTORE) != 0;
    int remaining = args.length - baseArgs;
    for (int i = 0; i < remaining; i++) {
      byte[] arg = args[baseArgs + i];
      if (Keywords.is(arg, "withdist")) {
        withDist = true;
      } else if (Keywords.is(arg, "withhash")) {
        withHash = true;
      } else if (Keywords.is(arg, "withcoord")) {
        withCoords = true;
      } else if (Keywords.is(arg, "any")) {
        any = true;
      } else if (Keywords.is(arg, "asc")) {
        sort = Sort.ASC;
      } else if (Keywords.is(arg, "desc")) {
        sort = Sort.DESC;
      } else if (Keywords.is(arg, "count") && i + 1 < remaining) {
        count = RedisNumbers.parseLong(args[baseArgs + i + 1]);
        if (count <= 0) {
          throw new RedisError("ERR COUNT must be > 0");
        }
        i++;
      } else if (Keywords.is(arg, "store") && i + 1 < remaining && !noStore && !geosearch) {
        storeKey = args[baseArgs + i + 1];
        storeDist = false;
        i++;
      } else if (Keywords.is(arg, "storedist") && i + 1 < remaining && !noStore
          && !geosearch) {
        storeKey = args[baseArgs + i + 1];
        storeDist = true;
        i++;
      } else if (Keywords.is(arg, "storedist") && geosearch
          && (flags & GEOSEARCHSTORE) != 0) {
        storeDist = true;
      } else if (Keywords.is(arg, "frommember") && i + 1 < remaining && geosearch
          && !fromLoc) {
        if (z != null) {
          double[] xy = memberPosition(z, args[baseArgs + i + 1]);
          lon = xy[0];
          lat = xy[1];
        }
        fromMember = true;
        i++;
      } else if (Keywords.is(arg, "fromlonlat") && i + 2 < remaining && geosearch
          && !fromMember) {
        double[] xy = GeoCommands.lonLat(args[baseArgs + i + 1], args[baseArgs + i + 2]);
        lon = xy[0];
        lat = xy[1];
        fromLoc = true;
        i += 2;
      } else if (Keywords.is(arg, "byradius") && i + 2 < remaining && geosearch && !byBox) {
        radius = radius(args[baseArgs + i + 1]);
        conversion = GeoCommands.unit(args[baseArgs + i + 2]);
        circle = true;
        byRadius = true;
        i += 2;
      } else if (Keywords.is(arg, "bybox") && i + 3 < remaining && geosearch && !byRadius) {
        double w = GeoCommands.parseDouble(args[baseArgs + i + 1], "ERR need numeric width");
        double h = GeoCommands.parseDouble(args[baseArgs + i + 2], "ERR need numeric height");
        if (h < 0 || w < 0) {
          throw new RedisError("ERR height or width cannot be negative");
        }
        width = w;
        height = h;
        conversion = GeoCommands.unit(args[baseArgs + i + 3]);
        circle = false;
        byBox = true;
        i += 3;
      } else {
        throw RedisError.syntax();
      }
    }

    if (storeKey != null && (withDist || withHash || withCoords)) {
      throw new RedisError("ERR "
          + ((flags & GEOSEARCHSTORE) != 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")
          + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
    }
    if (geosearch && !(fromMember || fromLoc)) {
      throw new RedisError("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for "
          + Keywords.cString(args[0]));
    }
    if (geosearch && !(byRadius || byBox)) {
      throw new RedisError("ERR exactly one of BYRADIUS and BYBOX can be specified for "
          + Keywords.cString(args[0]));
    }
    if (any && count == 0) {
      throw new RedisError("ERR the ANY argument requires COUNT argument");
    }

    if (z == null) {
      if (storeKey != null) {
        ctx.keyspace().delete(storeKey);
        return Reply.ZERO;
      }
      return Reply.EMPTY_ARRAY;
    }
    if (count != 0 && sort == Sort.NONE && !any) {
      sort = Sort.ASC;
    }

    Shape shape = circle
        ? Shape.circle(lon, lat, radius, conversion)
        : Shape.box(lon, lat, width, height, conversion);
    List<Point> found = search(z, shape, any ? count : 0);

    if (found.isEmpty() && storeKey == null) {
      return Reply.EMPTY_ARRAY;
    }
    int resultLength = found.size();
    int returned = (count == 0 || resultLength < count) ? resultLength : (int) count;
    Point[] points = found.toArray(new Point[0]);
    if (sort != Sort.NONE) {
      Comparator<Point> byDist = (a, b) -> a.dist > b.dist ? 1 : a.dist == b.dist ? 0 : -1;
      Comparator<Point> cmp = sort == Sort.ASC ? byDist : byDist.reversed();
      if (returned == resultLength) {
        // glibc's qsort is a merge sort: stable, like Arrays.sort on objects.
        Arrays.sort(points, cmp);
      } else {
        PartialSort.pqsort(points, cmp, 0, returned - 1);
      }
    }

    if (storeKey == null) {
      List<Reply> out = new ArrayList<>(returned);
      boolean options = withDist || withHash || withCoords;
      for (int i = 0; i < returned; i++) {
        Point p = points[i];
        double dist = p.dist / conversion;
        if (!options) {
          out.add(Reply.bulk(p.member));
          continue;
        }
        List<Reply> item = new ArrayList<>(4);
        item.add(Reply.bulk(p.member));
        if (withDist) {
          item.add(GeoFormat.distance(dist));
        }
        if (withHash) {
          item.add(Reply.integer(toLongLong(p.score)));
        }
        if (withCoords) {
          item.add(Reply.array(GeoFormat.coordinate(p.lon), GeoFormat.coordinate(p.lat)));
        }
        out.add(Reply.array(item));
      }
      return Reply.array(out);
    }
    List<SortedSet.Entry> entries = new ArrayList<>(returned);
    Set<ByteBuffer> seen = new HashSet<>();
    for (int i = 0; i < returned; i++) {
      Point p = points[i];
      if (seen.add(ByteBuffer.wrap(p.member))) {
        entries.add(new SortedSet.Entry(p.member, storeDist ? p.dist / conversion : p.score));
      }
    }
    SortedSet.replace(ctx.keyspace(), storeKey, entries);
    return Reply.integer(returned);
  }

  /** {@code extractDistanceOrReply}'s number. */
  private static double radius(byte[] arg) {
    double d = GeoCommands.parseDouble(arg, "ERR need numeric radius");
    if (d < 0) {
      throw new RedisError("ERR radius cannot be negative");
    }
    return d;
  }

  private static double[] memberPosition(SortedSet z, byte[] member) {
    Double score = z.score(member);
    if (score == null) {
      throw new RedisError("ERR could not decode requested zset member");
    }
    return GeoHash.decodeScore(score);
  }

  /**
   * {@code membersOfAllNeighbors}: the matches in the nine boxes, box by box in score order,
   * stopping once {@code limit} (0: none) matches are found.
   */
  private static List<Point> search(SortedSet z, Shape shape, long limit) {
    GeoHash.Bits[] boxes = GeoHash.searchAreas(shape);
    List<Point> found = new ArrayList<>();
    int lastProcessed = 0;
    for (int i = 0; i < boxes.length; i++) {
      GeoHash.Bits box = boxes[i];
      if (box.isZero()) {
        continue;
      }
      // A huge radius makes neighbors coincide; skip a box equal to the one just searched.
      if (lastProcessed != 0 && box.equals(boxes[lastProcessed])) {
        continue;
      }
      if (!found.isEmpty() && limit != 0 && found.size() >= limit) {
        break;
      }
      double min = GeoHash.align52Bits(box);
      double max = GeoHash.align52Bits(new GeoHash.Bits(box.bits() + 1, box.step()));
      z.scan(ScoreRange.of(min, false, max, true), e -> {
        double[] xy = GeoHash.decodeScore(e.score());
        double dist = shape.distanceIfInside(xy[0], xy[1]);
        if (!Double.isNaN(dist)) {
          found.add(new Point(xy[0], xy[1], dist, e.score(), e.member()));
        }
        return found.isEmpty() || limit == 0 || found.size() < limit;
      });
      lastProcessed = i;
    }
    return found;
  }

  /** C's {@code (long long)} of a double on x86-64: out of range (or NaN) gives LLONG_MIN. */
  private static long toLongLong(double d) {
    return d >= -9223372036854775808.0 && d < 9223372036854775808.0 ? (long) d : Long.MIN_VALUE;
  }
}
