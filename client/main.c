#include "rj_cmd.h"

int main(int argc, char **argv)
{
    return rj_cmd_main(argc, argv);
}
