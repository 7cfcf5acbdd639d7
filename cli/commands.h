/* Subcommands of the idmap CLI. Each returns the process exit code: 0 done, 1 data or
 * runtime error, 2 usage error. */
#ifndef IDMAP_CLI_COMMANDS_H
#define IDMAP_CLI_COMMANDS_H

int cmd_build(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_entry(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_databases(int argc, char **argv);
int cmd_verify(int argc, char **argv);

#endif
