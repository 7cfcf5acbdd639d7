/* Prints the size of every struct of the public headers that the Python binding declares, and
 * the offset of each field, as "type size" / "type.field offset" lines: python_binding_test.py
 * compares them with its ctypes declarations, so a change to a header cannot silently break
 * it. */
#include <idmap.h>
#include <stddef.h>
#include <stdio.h>

#define SIZE(t) printf("%s %zu\n", #t, sizeof(t))
#define OFF(t, f) printf("%s.%s %zu\n", #t, #f, offsetof(t, f))

int main(void)
{
	SIZE(idmap_type_info);
	OFF(idmap_type_info, name); OFF(idmap_type_info, name_len);
	OFF(idmap_type_info, pairs); OFF(idmap_type_info, keys);
	SIZE(idmap_meta_line);
	OFF(idmap_meta_line, key); OFF(idmap_meta_line, key_len);
	OFF(idmap_meta_line, value); OFF(idmap_meta_line, value_len);
	SIZE(idmap_section_info);
	OFF(idmap_section_info, id); OFF(idmap_section_info, name);
	OFF(idmap_section_info, offset); OFF(idmap_section_info, length);
	OFF(idmap_section_info, crc);
	SIZE(idmap_pair);
	OFF(idmap_pair, type_id); OFF(idmap_pair, len); OFF(idmap_pair, key_slot);
	OFF(idmap_pair, value);
	SIZE(idmap_fwd_iter);
	SIZE(idmap_rev_iter);
	SIZE(idmap_db_info);
	OFF(idmap_db_info, name); OFF(idmap_db_info, display); OFF(idmap_db_info, group);
	OFF(idmap_db_info, file_type); OFF(idmap_db_info, kind); OFF(idmap_db_info, flags);
	OFF(idmap_db_info, rule); OFF(idmap_db_info, type_id); OFF(idmap_db_info, ids);
	OFF(idmap_db_info, uri_link);
	SIZE(idmap_request);
	OFF(idmap_request, from); OFF(idmap_request, to); OFF(idmap_request, via);
	OFF(idmap_request, taxa); OFF(idmap_request, n_taxa);
	OFF(idmap_request, include_isoforms); OFF(idmap_request, canonical);
	OFF(idmap_request, allow_one_to_many); OFF(idmap_request, include_inactive);
	SIZE(idmap_diag);
	OFF(idmap_diag, status); OFF(idmap_diag, message); OFF(idmap_diag, hint);
	SIZE(idmap_job_stats);
	OFF(idmap_job_stats, inputs); OFF(idmap_job_stats, distinct);
	OFF(idmap_job_stats, duplicates); OFF(idmap_job_stats, mapped);
	OFF(idmap_job_stats, failed); OFF(idmap_job_stats, secondary);
	OFF(idmap_job_stats, deleted); OFF(idmap_job_stats, obsolete);
	OFF(idmap_job_stats, results); OFF(idmap_job_stats, suggested);
	OFF(idmap_job_stats, max_fanout); OFF(idmap_job_stats, max_fanout_id);
	OFF(idmap_job_stats, inactive);
	SIZE(idmap_id_info);
	OFF(idmap_id_info, text); OFF(idmap_id_info, len); OFF(idmap_id_info, from_len);
	OFF(idmap_id_info, status); OFF(idmap_id_info, obsolete);
	OFF(idmap_id_info, deleted_from); OFF(idmap_id_info, reason);
	OFF(idmap_id_info, rows);
	SIZE(idmap_result);
	OFF(idmap_result, id); OFF(idmap_result, from); OFF(idmap_result, from_len);
	OFF(idmap_result, to); OFF(idmap_result, to_len); OFF(idmap_result, via);
	OFF(idmap_result, via_len); OFF(idmap_result, acc_slot); OFF(idmap_result, inactive);
	OFF(idmap_result, xref_inactive); OFF(idmap_result, to_buf);
	OFF(idmap_result, via_buf);
	return 0;
}
