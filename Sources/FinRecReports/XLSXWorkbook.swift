package import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
import CXLSXWriter
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// An Excel workbook (.xlsx) written with libxlsxwriter: sheets of typed cells — numbers stay
/// numbers (16 significant digits, libxlsxwriter's %.16G; with a display format), text stays text — under a bold, frozen, filterable header
/// row. Built in memory, then written once, atomically.
package struct XLSXWorkbook: Sendable {
    package enum Cell: Sendable, Equatable {
        case text(String)
        case number(Double)
        /// A fraction shown as a percentage (0.1234 → 12.34%).
        case percent(Double)
        case empty
    }

    package struct Sheet: Sendable {
        package var name: String
        package var header: [String]
        package var rows: [[Cell]] = []
        /// Column widths in characters (default 14).
        package var widths: [Double] = []

        package init(name: String, header: [String], widths: [Double] = []) {
            self.name = name
            self.header = header
            self.widths = widths
        }
    }

    package var sheets: [Sheet]

    package init(sheets: [Sheet]) { self.sheets = sheets }

    /// Excel's limits: 31 characters and none of []:*?/\ in a sheet name; 32,767 characters in a cell.
    static let maximumCellCharacters = 32_767

    /// The workbook's bytes.
    package func bytes() throws(FileWriteError) -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("finrec-\(UUID().uuidString).xlsx").path
        defer { unlink(path) }
        try write(toNewFile: path)
        do { return try FileBytes.read(path) } catch {
            throw FileWriteError(path: path, operation: "read back the workbook", reason: error.reason)
        }
    }

    /// Writes the workbook to `path` through ``AtomicFileWriter``: atomically and synced for a
    /// file, in place for a stream (`/dev/stdout`, a pipe), the file behind a symbolic link.
    package func write(to path: String) throws(FileWriteError) {
        try AtomicFileWriter.write(try bytes(), to: path)
    }

    private func write(toNewFile path: String) throws(FileWriteError) {
        guard let workbook = workbook_new(path) else {
            throw FileWriteError(path: path, operation: "create the workbook", reason: "libxlsxwriter could not open it")
        }
        let bold = workbook_add_format(workbook)
        format_set_bold(bold)
        let percent = workbook_add_format(workbook)
        format_set_num_format(percent, "0.00%")
        let decimal = workbook_add_format(workbook)
        format_set_num_format(decimal, "0.00")
        var used: Set<String> = []
        for sheet in sheets {
            let name = Self.sheetName(sheet.name, used: &used)
            guard let worksheet = workbook_add_worksheet(workbook, name) else {
                _ = workbook_close(workbook)
                throw FileWriteError(path: path, operation: "add the sheet \(name)", reason: "libxlsxwriter refused it")
            }
            for (c, title) in sheet.header.enumerated() {
                worksheet_write_string(worksheet, 0, lxw_col_t(c), Self.clip(title), bold)
            }
            for (c, width) in sheet.widths.enumerated() {
                worksheet_set_column(worksheet, lxw_col_t(c), lxw_col_t(c), width, nil)
            }
            for (r, row) in sheet.rows.enumerated() {
                let rowIndex = lxw_row_t(r + 1)
                for (c, cell) in row.enumerated() {
                    let column = lxw_col_t(c)
                    switch cell {
                    case .text(let s): worksheet_write_string(worksheet, rowIndex, column, Self.clip(s), nil)
                    case .number(let x) where x.isFinite:
                        worksheet_write_number(worksheet, rowIndex, column, x, x == x.rounded() ? nil : decimal)
                    case .percent(let x) where x.isFinite: worksheet_write_number(worksheet, rowIndex, column, x, percent)
                    case .number, .percent, .empty: break
                    }
                }
            }
            worksheet_freeze_panes(worksheet, 1, 0)
            if !sheet.header.isEmpty {
                worksheet_autofilter(worksheet, 0, 0, lxw_row_t(sheet.rows.count), lxw_col_t(sheet.header.count - 1))
            }
        }
        let status = workbook_close(workbook)
        guard status == LXW_NO_ERROR else {
            throw FileWriteError(path: path, operation: "write the workbook", reason: String(cString: lxw_strerror(status)))
        }
    }

    static func clip(_ s: String) -> String {
        s.count <= maximumCellCharacters ? s : String(s.prefix(maximumCellCharacters - 1)) + "…"
    }

    static func sheetName(_ wanted: String, used: inout Set<String>) -> String {
        var name = String(wanted.map { "[]:*?/\\".contains($0) ? "_" : $0 }.prefix(31))
        if name.isEmpty { name = "Sheet" }
        var candidate = name, n = 2
        while used.contains(candidate.lowercased()) {
            candidate = String(name.prefix(28)) + "_\(n)"
            n += 1
        }
        used.insert(candidate.lowercased())
        return candidate
    }
}
