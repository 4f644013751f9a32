package io.kvorum.storage.geo;

/**
 * A search area ({@code GeoShape}): a circle of {@code radius} or a box of {@code width} ×
 * {@code height} around a center, in a unit whose size in meters is {@code conversion}.
 */
record Shape(boolean circle, double longitude, double latitude, double radius, double width,
    double height, double conversion) {

  static Shape circle(double longitude, double latitude, double radius, double conversion) {
    return new Shape(true, longitude, latitude, radius, 0, 0, conversion);
  }

  static Shape box(double longitude, double latitude, double width, double height,
      double conversion) {
    return new Shape(false, longitude, latitude, 0, width, height, conversion);
  }

  /** The radius that decides the search step: the circle's, or center to corner of the box. */
  double coveringRadius() {
    return circle ? radius : Math.sqrt((width / 2) * (width / 2) + (height / 2) * (height / 2));
  }

  /**
   * {@code geohashBoundingBox}: {min lon, min lat, max lon, max lat}; the longitude span is taken
   * at the edge nearer the pole of the center's hemisphere.
   */
  double[] boundingBox() {
    double h = conversion * (circle ? radius : height / 2);
    double w = conversion * (circle ? radius : width / 2);
    double latDelta = GeoHash.radDeg(h / GeoHash.EARTH_RADIUS_IN_METERS);
    double longDeltaTop = GeoHash.radDeg(
        w / GeoHash.EARTH_RADIUS_IN_METERS / Trig.cos(GeoHash.degRad(latitude + latDelta)));
    double longDeltaBottom = GeoHash.radDeg(
        w / GeoHash.EARTH_RADIUS_IN_METERS / Trig.cos(GeoHash.degRad(latitude - latDelta)));
    boolean southern = latitude < 0;
    return new double[] {
      southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
      latitude - latDelta,
      southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
      latitude + latDelta
    };
  }

  /**
   * {@code geoWithinShape}: the distance from the center (meters) when the point is inside, else
   * NaN.
   */
  double distanceIfInside(double lon, double lat) {
    if (circle) {
      double d = GeoHash.distance(longitude, latitude, lon, lat);
      return d > radius * conversion ? Double.NaN : d;
    }
    double widthM = width * conversion;
    double heightM = height * conversion;
    // Latitude first: it is cheaper, as in Redis.
    if (GeoHash.latDistance(lat, latitude) > heightM / 2) {
      return Double.NaN;
    }
    if (GeoHash.distance(lon, lat, longitude, lat) > widthM / 2) {
      return Double.NaN;
    }
    return GeoHash.distance(longitude, latitude, lon, lat);
  }
}
