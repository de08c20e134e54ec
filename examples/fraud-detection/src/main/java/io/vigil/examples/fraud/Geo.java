package io.vigil.examples.fraud;

/** Great-circle distance, as the IMPOSSIBLE_TRAVEL rule computes it. */
public final class Geo {
    private static final double EARTH_DIAMETER_KM = 12742.0;

    private Geo() {
    }

    public static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.sin(Math.toRadians(lat2 - lat1) / 2);
        double dLon = Math.sin(Math.toRadians(lon2 - lon1) / 2);
        double a = dLat * dLat + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * dLon * dLon;
        return EARTH_DIAMETER_KM * Math.asin(Math.sqrt(a));
    }
}
