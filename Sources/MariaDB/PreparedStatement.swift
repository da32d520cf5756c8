import CMariaDB

/// One server-side prepared statement. Owned by its `Connection`, which closes it before itself.
final class PreparedStatement {
    private let handle: UnsafeMutablePointer<MYSQL_STMT>
    let parameterCount: Int
    private var columnNames: ColumnNames?

    init(connection: UnsafeMutablePointer<MYSQL>, sql: String) throws(DatabaseError) {
        guard let handle = mysql_stmt_init(connection) else {
            throw DatabaseError.classify(serverCode: Int(mysql_errno(connection)), message: String(cString: mysql_error(connection)))
        }
        let utf8 = Array(sql.utf8)
        let status = utf8.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { mysql_stmt_prepare(handle, $0.baseAddress, UInt(buffer.count)) }
        }
        if status != 0 {
            let error = DatabaseError.classify(serverCode: Int(mysql_stmt_errno(handle)), message: String(cString: mysql_stmt_error(handle)))
            mysql_stmt_close(handle)
            throw error
        }
        self.handle = handle
        self.parameterCount = Int(mysql_stmt_param_count(handle))
    }

    deinit {
        mysql_stmt_close(handle)
    }

    private func failure() -> DatabaseError {
        DatabaseError.classify(serverCode: Int(mysql_stmt_errno(handle)), message: String(cString: mysql_stmt_error(handle)))
    }

    func execute(_ parameters: [SQLValue]) throws(DatabaseError) -> QueryResult {
        guard parameters.count == parameterCount else {
            throw DatabaseError(code: .statementFailed, message: "statement takes \(parameterCount) parameters, \(parameters.count) given")
        }
        let binding = ParameterBinding(parameters)
        defer { binding.release() }
        if parameterCount > 0, mysql_stmt_bind_param(handle, binding.binds) != 0 { throw failure() }
        if mysql_stmt_execute(handle) != 0 { throw failure() }

        guard let metadata = mysql_stmt_result_metadata(handle) else {
            if mysql_stmt_errno(handle) != 0 { throw failure() }
            let result = QueryResult(rows: [], affectedRows: Int64(mysql_stmt_affected_rows(handle)),
                                     lastInsertID: Int64(mysql_stmt_insert_id(handle)))
            try skipMoreResults()
            return result
        }
        defer { mysql_free_result(metadata) }
        let fieldCount = Int(mysql_num_fields(metadata))
        let names = columnNames(metadata: metadata, count: fieldCount)
        let rows = try fetchRows(columnCount: fieldCount, names: names)
        try skipMoreResults()
        return QueryResult(rows: rows, affectedRows: Int64(rows.count), lastInsertID: 0)
    }

    /// A `CALL` answers with its result sets and then its own status: the first result set is the
    /// answer, and the rest are read and dropped so that the connection is free for the next statement.
    private func skipMoreResults() throws(DatabaseError) {
        while mysql_stmt_more_results(handle) != 0 {
            let status = mysql_stmt_next_result(handle)
            if status > 0 { throw failure() }
            if status < 0 { break }
            mysql_stmt_free_result(handle)
        }
    }

    private func columnNames(metadata: UnsafeMutablePointer<MYSQL_RES>, count: Int) -> ColumnNames {
        if let columnNames, columnNames.names.count == count { return columnNames }
        var names: [String] = []
        if let fields = mysql_fetch_fields(metadata) {
            for index in 0..<count { names.append(String(cString: fields[index].name)) }
        }
        let built = ColumnNames(names)
        columnNames = built
        return built
    }

    private func fetchRows(columnCount: Int, names: ColumnNames) throws(DatabaseError) -> [Row] {
        let result = ResultBinding(columnCount: columnCount)
        defer {
            result.release()
            mysql_stmt_free_result(handle)
        }
        if mysql_stmt_bind_result(handle, result.binds) != 0 { throw failure() }
        var rows: [Row] = []
        while true {
            let status = mysql_stmt_fetch(handle)
            if status == MYSQL_NO_DATA { break }
            if status == 1 { throw failure() }
            var values: [[UInt8]?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if result.isNull(column) {
                    values.append(nil)
                    continue
                }
                let length = result.length(column)
                if length <= result.capacity {
                    values.append(result.value(column))
                } else {
                    // The row did not fit the buffer: read this column again at its full length.
                    var full = [UInt8](repeating: 0, count: length)
                    var bind = MYSQL_BIND()
                    var fetchedLength: UInt = 0
                    let status = full.withUnsafeMutableBytes { buffer in
                        withUnsafeMutablePointer(to: &fetchedLength) { lengthPointer in
                            bind.buffer_type = MYSQL_TYPE_STRING
                            bind.buffer = buffer.baseAddress
                            bind.buffer_length = UInt(length)
                            bind.length = lengthPointer
                            return mysql_stmt_fetch_column(handle, &bind, UInt32(column), 0)
                        }
                    }
                    if status != 0 { throw failure() }
                    values.append(full)
                }
            }
            rows.append(Row(columns: names, values: values))
        }
        return rows
    }
}

/// Heap copies of the bound parameters: MariaDB reads them through stable addresses during execute.
private struct ParameterBinding {
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private var storage: [UnsafeMutableRawPointer] = []
    private let count: Int

    init(_ parameters: [SQLValue]) {
        count = parameters.count
        binds = UnsafeMutablePointer<MYSQL_BIND>.allocate(capacity: max(count, 1))
        binds.initialize(repeating: MYSQL_BIND(), count: max(count, 1))
        for (index, parameter) in parameters.enumerated() {
            switch parameter {
            case .null:
                binds[index].buffer_type = MYSQL_TYPE_NULL
            case .integer(let value):
                bindScalar(value, type: MYSQL_TYPE_LONGLONG, at: index)
            case .double(let value):
                bindScalar(value, type: MYSQL_TYPE_DOUBLE, at: index)
            case .text(let text):
                bindBytes(Array(text.utf8), type: MYSQL_TYPE_STRING, at: index)
            case .blob(let bytes):
                bindBytes(bytes, type: MYSQL_TYPE_BLOB, at: index)
            }
        }
    }

    private mutating func bindScalar<Value>(_ value: Value, type: enum_field_types, at index: Int) {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<Value>.size, alignment: MemoryLayout<Value>.alignment)
        pointer.storeBytes(of: value, as: Value.self)
        storage.append(pointer)
        binds[index].buffer_type = type
        binds[index].buffer = pointer
    }

    private mutating func bindBytes(_ bytes: [UInt8], type: enum_field_types, at index: Int) {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: bytes.count) }
        }
        storage.append(pointer)
        binds[index].buffer_type = type
        binds[index].buffer = pointer
        binds[index].buffer_length = UInt(bytes.count)
    }

    func release() {
        for pointer in storage { pointer.deallocate() }
        binds.deinitialize(count: max(count, 1))
        binds.deallocate()
    }
}

/// Per-column fetch buffers, read as text: every type converts to it, and rows decode by name.
private struct ResultBinding {
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    let capacity = 256
    private let buffers: UnsafeMutablePointer<UInt8>
    private let lengths: UnsafeMutablePointer<UInt>
    private let nulls: UnsafeMutablePointer<my_bool>
    private let errors: UnsafeMutablePointer<my_bool>
    private let count: Int

    init(columnCount: Int) {
        count = max(columnCount, 1)
        binds = .allocate(capacity: count)
        binds.initialize(repeating: MYSQL_BIND(), count: count)
        buffers = .allocate(capacity: count * capacity)
        lengths = .allocate(capacity: count)
        lengths.initialize(repeating: 0, count: count)
        nulls = .allocate(capacity: count)
        nulls.initialize(repeating: 0, count: count)
        errors = .allocate(capacity: count)
        errors.initialize(repeating: 0, count: count)
        for column in 0..<columnCount {
            binds[column].buffer_type = MYSQL_TYPE_STRING
            binds[column].buffer = UnsafeMutableRawPointer(buffers + column * capacity)
            binds[column].buffer_length = UInt(capacity)
            binds[column].length = lengths + column
            binds[column].is_null = nulls + column
            binds[column].error = errors + column
        }
    }

    func isNull(_ column: Int) -> Bool { nulls[column] != 0 }
    func length(_ column: Int) -> Int { Int(lengths[column]) }
    func value(_ column: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: buffers + column * capacity, count: length(column)))
    }

    func release() {
        binds.deinitialize(count: count)
        binds.deallocate()
        buffers.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        errors.deallocate()
    }
}
