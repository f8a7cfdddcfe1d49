/// FinRec's release version, written into model files as provenance.
package enum FinRecVersion {
    package static let current = "0.1.0"
}
