/// Energies are reported in eV everywhere (API.md's `total_energy`).
public enum Units {
    public static let electronvoltsPerHartree = 27.211386245988
    public static let electronvoltsPerRydberg = 13.605693122994
}
