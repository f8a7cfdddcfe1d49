/// FinRec's release version, written into model files as provenance.
public enum FinRecVersion {
    public static let current = "0.1.0"
}
