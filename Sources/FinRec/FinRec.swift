// The library's one import for its users: `import FinRec` gives the use cases and every module
// below them, in dependency order.
@_exported public import FinRecBase
@_exported public import FinRecRecords
@_exported public import FinRecLinear
@_exported public import FinRecFeatures
@_exported public import FinRecCatalog
@_exported public import FinRecModel
@_exported public import FinRecInference
@_exported public import FinRecEvaluation
@_exported public import FinRecPlanning
@_exported public import FinRecReports
@_exported public import FinRecExport
@_exported public import FinRecSynthetic
